// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

@Suite struct PacketFramerTests {
    private let first = DataMapTests.infoGetRequest
    private let second = RPCPacket(payload: Array("1 reply".utf8)).encoded()

    private func drain(_ framer: inout PacketFramer) throws -> [[UInt8]] {
        var packets: [[UInt8]] = []
        while let packet = try framer.nextPacket() {
            packets.append(packet)
        }
        return packets
    }

    @Test func byteAtATimeYieldsThePacketOnlyWhenComplete() throws {
        var framer = PacketFramer()
        var packets: [[UInt8]] = []
        for (index, byte) in self.first.enumerated() {
            framer.append([byte])
            let ready = try self.drain(&framer)
            #expect(ready.isEmpty == (index < self.first.count - 1))
            packets += ready
        }
        #expect(packets == [self.first])
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func allAtOnceYieldsThePacket() throws {
        var framer = PacketFramer()
        framer.append(self.first)
        #expect(try self.drain(&framer) == [self.first])
    }

    @Test func severalPacketsInOneChunkYieldEachInOrder() throws {
        var framer = PacketFramer()
        framer.append(self.first + self.second + self.first + self.second.prefix(5))
        #expect(try self.drain(&framer) == [self.first, self.second, self.first])
        #expect(framer.bufferedByteCount == 5)
        framer.append(self.second.dropFirst(5))
        #expect(try self.drain(&framer) == [self.second])
    }

    @Test func lengthWordAboveTheMaximumThrowsAsSoonAsItArrives() {
        var framer = PacketFramer(maximumLength: 16)
        framer.append([0, 0, 0, 17])
        #expect(throws: DataMapError.tooLong(length: 17, maximum: 16)) {
            try framer.nextPacket()
        }
    }

    @Test func lengthWordAboveTheProtocolLimitIsAnErrorNotACrash() {
        var framer = PacketFramer(maximumLength: Int.max)
        #expect(framer.maximumLength == 0x7FFF_FFFB)
        framer.append([0x7F, 0xFF, 0xFF, 0xFC])
        #expect(throws: DataMapError.tooLong(length: 0x7FFF_FFFC, maximum: 0x7FFF_FFFB)) {
            try framer.nextPacket()
        }
    }

    @Test func manySmallPacketsKeepTheBufferCompact() throws {
        var framer = PacketFramer()
        var count = 0
        for _ in 0..<2000 {
            framer.append(self.second + self.second.prefix(3))
            count += try self.drain(&framer).count
            framer.append(self.second.dropFirst(3))
            count += try self.drain(&framer).count
        }
        #expect(count == 4000)
        #expect(framer.bufferedByteCount == 0)
    }
}

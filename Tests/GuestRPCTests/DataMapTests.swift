// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

/// Builds DataMap bytes by hand, so tests state the wire exactly.
struct WireBuilder {
    var body: [UInt8] = []

    mutating func int32(_ value: Int32) {
        let bits = UInt32(bitPattern: value)
        self.body += [
            UInt8(bits >> 24), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 8 & 0xFF),
            UInt8(bits & 0xFF),
        ]
    }

    mutating func bytes(_ value: [UInt8]) {
        self.body += value
    }

    /// The packet: the length word (the body's size unless given), then the body.
    func packet(length: UInt32? = nil) -> [UInt8] {
        let count = length ?? UInt32(self.body.count)
        return [
            UInt8(count >> 24), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF),
            UInt8(count & 0xFF),
        ]
            + self.body
    }
}

@Suite struct DataMapTests {
    /// The one-shot `guestlib.info.get 3` request of PROTOCOL.md §4.3, 67 bytes.
    static let infoGetRequest: [UInt8] =
        [
            0x00, 0x00, 0x00, 0x3F,
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x13,
        ] + Array("guestlib.info.get 3".utf8) + [
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
            0x00, 0x00,
        ]

    @Test func oneShotInfoRequestEncodesToTheSixtySevenBytesOfTheProtocol() {
        let packet = RPCPacket(payload: Array("guestlib.info.get 3".utf8), fastClose: true)
        #expect(packet.encoded() == DataMapTests.infoGetRequest)
        #expect(packet.encoded().count == 67)
    }

    @Test func sixtySevenByteRequestDecodesToItsFields() throws {
        let map = try DataMap(decoding: DataMapTests.infoGetRequest)
        #expect(
            map.fields == [
                1: .int64(1), 2: .string(Array("guestlib.info.get 3".utf8)), 3: .int64(1),
            ])
        let packet = try RPCPacket(decoding: DataMapTests.infoGetRequest)
        #expect(packet == RPCPacket(payload: Array("guestlib.info.get 3".utf8), fastClose: true))
    }

    @Test func persistentRequestHasNoFastCloseField() {
        let encoded = RPCPacket(payload: Array("GuestAppMonitor.Cmd.MarkActive".utf8)).encoded()
        var wire = WireBuilder()
        wire.int32(1)
        wire.int32(1)
        wire.bytes([0, 0, 0, 1, 0, 0, 0, 0])
        wire.int32(2)
        wire.int32(2)
        wire.int32(30)
        wire.bytes(Array("GuestAppMonitor.Cmd.MarkActive".utf8))
        #expect(encoded == wire.packet())
    }

    @Test func int64IsSentLowWordFirst() {
        let map = DataMap(fields: [7: .int64(0x0102_0304_0506_0708)])
        #expect(map.encoded() == [0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 7, 5, 6, 7, 8, 1, 2, 3, 4])
    }

    @Test func int64DecodesLowWordFirst() throws {
        let map = try DataMap(decoding: [
            0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 7, 5, 6, 7, 8, 1, 2, 3, 4,
        ])
        #expect(map[7] == .int64(0x0102_0304_0506_0708))
    }

    @Test func negativeInt64RoundTrips() throws {
        let map = DataMap(fields: [1: .int64(-2)])
        #expect(
            map.encoded() == [
                0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF,
            ])
        #expect(try DataMap(decoding: map.encoded()) == map)
    }

    @Test func allFourTypesRoundTrip() throws {
        let map = DataMap(fields: [
            1: .int64(.min), 2: .string([0, 1, 0]), 3: .int64List([1, -1, 0x1_0000_0000]),
            4: .stringList([[0x41], [0x42, 0x43]]), 5: .int64List([]), 6: .stringList([]),
        ])
        #expect(try DataMap(decoding: map.encoded()) == map)
    }

    @Test func fieldsAreEncodedInAscendingIdOrder() {
        var map = DataMap()
        map[3] = .int64(1)
        map[1] = .int64(1)
        map[2] = .string([0x61])
        let encoded = map.encoded()
        #expect(encoded[4..<12] == [0, 0, 0, 1, 0, 0, 0, 1])
        #expect(encoded[20..<28] == [0, 0, 0, 2, 0, 0, 0, 2])
        #expect(encoded[33..<41] == [0, 0, 0, 1, 0, 0, 0, 3])
    }

    @Test func fieldsInAnyOrderDecode() throws {
        var wire = WireBuilder()
        wire.int32(2)
        wire.int32(2)
        wire.int32(1)
        wire.bytes([0x78])
        wire.int32(1)
        wire.int32(1)
        wire.bytes([0, 0, 0, 1, 0, 0, 0, 0])
        #expect(try DataMap(decoding: wire.packet()).fields == [1: .int64(1), 2: .string([0x78])])
    }

    @Test func emptyMapIsAZeroLengthPacket() throws {
        #expect(DataMap().encoded() == [0, 0, 0, 0])
        #expect(try DataMap(decoding: [0, 0, 0, 0]).fields.isEmpty)
    }

    @Test func trailingBytesAfterThePacketAreIgnored() throws {
        let map = try DataMap(decoding: DataMapTests.infoGetRequest + [0xFF, 0xFF])
        #expect(map.fields.count == 3)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

/// `RPCPacket` encodes and decodes the common layout without a `DataMap`; every packet must come out
/// exactly as the `DataMap` path would make it, and every other layout must still go through that path.
@Suite struct RPCPacketDirectCodecTests {
    @Test(arguments: [0, 1, 19, 255, 4096], [false, true])
    func encodingEqualsTheDataMapEncoding(payloadLength: Int, fastClose: Bool) {
        let payload = (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let packet = RPCPacket(payload: payload, fastClose: fastClose)
        #expect(packet.encoded() == packet.dataMap.encoded())
    }

    @Test(arguments: [false, true])
    func commonLayoutDecodesAsTheDataMapPathDoes(fastClose: Bool) throws {
        let encoded = RPCPacket(payload: Array("GuestAppMonitor.Cmd.MarkActive".utf8), fastClose: fastClose).encoded()
        let direct = try RPCPacket(decoding: encoded)
        #expect(direct == (try RPCPacket(dataMap: DataMap(decoding: encoded))))
        #expect(direct.fastClose == fastClose)
    }

    @Test func fastCloseFlagOtherThanOneIsTrueLikeTheDataMapPath() throws {
        var wire = Self.typeAndPayload(Array("x".utf8))
        wire.int32(1)
        wire.int32(3)
        wire.bytes([0, 0, 0, 7, 0, 0, 0, 0])
        #expect(try RPCPacket(decoding: wire.packet()) == RPCPacket(payload: [0x78], fastClose: true))
    }

    @Test func fieldsOutOfOrderStillDecodeThroughTheDataMap() throws {
        var wire = WireBuilder()
        wire.int32(2)
        wire.int32(2)
        wire.int32(1)
        wire.bytes([0x78])
        wire.int32(1)
        wire.int32(1)
        wire.bytes([0, 0, 0, 1, 0, 0, 0, 0])
        #expect(try RPCPacket(decoding: wire.packet()) == RPCPacket(payload: [0x78]))
    }

    @Test func anExtraFieldStillDecodesThroughTheDataMap() throws {
        var wire = Self.typeAndPayload([0x78])
        wire.int32(1)
        wire.int32(9)
        wire.bytes([0, 0, 0, 1, 0, 0, 0, 0])
        #expect(try RPCPacket(decoding: wire.packet()) == RPCPacket(payload: [0x78]))
    }

    @Test func aDuplicatePayloadIsRejectedAsTheDataMapRejectsIt() {
        var wire = Self.typeAndPayload([0x78])
        wire.int32(2)
        wire.int32(2)
        wire.int32(1)
        wire.bytes([0x79])
        #expect(throws: DataMapError.duplicateField(id: 2)) { try RPCPacket(decoding: wire.packet()) }
    }

    @Test func anEmptyPayloadIsRejectedAsTheDataMapRejectsIt() {
        let wire = Self.typeAndPayload([])
        #expect(throws: DataMapError.invalidStringLength(0, field: 2)) { try RPCPacket(decoding: wire.packet()) }
    }

    @Test func aLengthAboveTheMaximumIsRejectedBeforeDecoding() {
        let encoded = RPCPacket(payload: [UInt8](repeating: 0x61, count: 100)).encoded()
        #expect(throws: DataMapError.tooLong(length: encoded.count - 4, maximum: 64)) {
            try RPCPacket(decoding: encoded, maximumLength: 64)
        }
    }

    /// The packet-type field and a STRING payload: the start of every packet a sender writes.
    private static func typeAndPayload(_ payload: [UInt8]) -> WireBuilder {
        var wire = WireBuilder()
        wire.int32(1)
        wire.int32(1)
        wire.bytes([0, 0, 0, 1, 0, 0, 0, 0])
        wire.int32(2)
        wire.int32(2)
        wire.int32(Int32(payload.count))
        wire.bytes(payload)
        return wire
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

/// Every rule of the reference decoder (PROTOCOL.md §4.3 "Decoder rules").
@Suite struct DataMapRejectionTests {
    private func field(
        type: Int32, id: Int32, _ value: (inout WireBuilder) -> Void
    ) -> WireBuilder {
        var wire = WireBuilder()
        wire.int32(type)
        wire.int32(id)
        value(&wire)
        return wire
    }

    @Test func fewerThanFourBytesIsTruncated() {
        #expect(throws: DataMapError.truncated(detail: "fewer than 4 bytes for the length word")) {
            try DataMap(decoding: [0, 0, 0])
        }
    }

    @Test func lengthBeyondTheBufferIsTruncated() {
        #expect(throws: DataMapError.truncated(detail: "length 63 but only 62 bytes follow")) {
            try DataMap(decoding: Array(DataMapTests.infoGetRequest.dropLast()))
        }
    }

    @Test func partialFieldHeaderIsTruncated() {
        #expect(throws: DataMapError.truncated(detail: "a field header needs 8 bytes")) {
            try DataMap(decoding: [0, 0, 0, 6, 0, 0, 0, 1, 0, 0])
        }
    }

    @Test(arguments: [Int32(0), -1, Int32.min, 5, 1000])
    func unknownTypeTagIsRejected(type: Int32) {
        let wire = self.field(type: type, id: 9) { $0.int32(0) }
        #expect(throws: DataMapError.unknownType(type, field: 9)) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test func duplicateFieldIdIsRejected() {
        var wire = self.field(type: 1, id: 4) { $0.bytes([0, 0, 0, 1, 0, 0, 0, 0]) }
        wire.int32(2)
        wire.int32(4)
        wire.int32(1)
        wire.bytes([0x61])
        #expect(throws: DataMapError.duplicateField(id: 4)) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test(arguments: [Int32(0), -1, Int32.min])
    func stringOfLengthZeroOrLessIsRejected(length: Int32) {
        let wire = self.field(type: 2, id: 2) { $0.int32(length) }
        #expect(throws: DataMapError.invalidStringLength(length, field: 2)) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test func stringLongerThanTheRemainingBytesIsTruncated() {
        let wire = self.field(type: 2, id: 2) {
            $0.int32(4)
            $0.bytes([0x61, 0x62, 0x63])
        }
        #expect(throws: DataMapError.truncated(detail: "STRING field 2 announces 4 bytes")) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test func stringRunningPastTheAnnouncedLengthIsTruncatedEvenWithBytesAfterIt() {
        let wire = self.field(type: 2, id: 2) {
            $0.int32(4)
            $0.bytes([0x61, 0x62, 0x63, 0x64])
        }
        var packet = wire.packet()
        packet[3] -= 1
        #expect(throws: DataMapError.truncated(detail: "STRING field 2 announces 4 bytes")) {
            try DataMap(decoding: packet)
        }
    }

    @Test func truncatedInt64IsRejected() {
        let wire = self.field(type: 1, id: 1) { $0.bytes([0, 0, 0, 1]) }
        #expect(throws: DataMapError.truncated(detail: "an INT64 needs 8 bytes")) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test func negativeInt64ListCountIsRejected() {
        let wire = self.field(type: 3, id: 6) { $0.int32(-1) }
        #expect(throws: DataMapError.invalidCount(-1, field: 6)) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test func int64ListCountAboveRemainingOverEightIsRejected() {
        let wire = self.field(type: 3, id: 6) {
            $0.int32(2)
            $0.bytes([UInt8](repeating: 0, count: 15))
        }
        #expect(throws: DataMapError.invalidCount(2, field: 6)) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test func int64ListCountEqualToRemainingOverEightIsAccepted() throws {
        let wire = self.field(type: 3, id: 6) {
            $0.int32(2)
            $0.bytes([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0])
        }
        #expect(try DataMap(decoding: wire.packet())[6] == .int64List([1, 2]))
    }

    @Test func negativeStringListCountIsRejected() {
        let wire = self.field(type: 4, id: 8) { $0.int32(-5) }
        #expect(throws: DataMapError.invalidCount(-5, field: 8)) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test func stringListCountAboveRemainingOverFourIsRejected() {
        let wire = self.field(type: 4, id: 8) {
            $0.int32(3)
            $0.bytes([0, 0, 0, 1, 0x61, 0, 0, 0, 1, 0x62, 0])
        }
        #expect(throws: DataMapError.invalidCount(3, field: 8)) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test func stringListElementOfLengthZeroIsRejected() {
        let wire = self.field(type: 4, id: 8) {
            $0.int32(1)
            $0.int32(0)
        }
        #expect(throws: DataMapError.invalidStringLength(0, field: 8)) {
            try DataMap(decoding: wire.packet())
        }
    }

    @Test func zeroCountListsAreAccepted() throws {
        var wire = self.field(type: 3, id: 1) { $0.int32(0) }
        wire.int32(4)
        wire.int32(2)
        wire.int32(0)
        #expect(
            try DataMap(decoding: wire.packet()).fields == [1: .int64List([]), 2: .stringList([])])
    }

    @Test func decodingConsumesExactlyTheAnnouncedLength() throws {
        let one = RPCPacket(payload: [0x61]).encoded()
        let map = try DataMap(decoding: one + one)
        #expect(map.fields.count == 2)

        var shortened = one + one
        shortened[3] = UInt8(one.count - 4 + 1)
        #expect(throws: DataMapError.truncated(detail: "a field header needs 8 bytes")) {
            try DataMap(decoding: shortened)
        }
    }

    @Test func lengthAboveTheConfiguredMaximumIsRejectedBeforeAllocating() {
        #expect(throws: DataMapError.tooLong(length: 0xFFFF_FFFF, maximum: 100)) {
            try DataMap(decoding: [0xFF, 0xFF, 0xFF, 0xFF], maximumLength: 100)
        }
        #expect(throws: DataMapError.tooLong(length: 101, maximum: 100)) {
            try DataMap(
                decoding: [0, 0, 0, 101] + [UInt8](repeating: 0, count: 101), maximumLength: 100)
        }
    }

    @Test func lengthEqualToTheConfiguredMaximumIsAccepted() throws {
        let packet = RPCPacket(payload: [0x61]).encoded()
        #expect(try DataMap(decoding: packet, maximumLength: packet.count - 4).fields.count == 2)
    }

    @Test func missingPayloadFieldIsNotAnRPCPacket() {
        let map = DataMap(fields: [1: .int64(1), 2: .int64(5)])
        #expect(throws: RPCPacketError.missingPayload) {
            try RPCPacket(dataMap: map)
        }
    }

    @Test func nonIntegerFastCloseIsNotAnRPCPacket() {
        let map = DataMap(fields: [2: .string([0x61]), 3: .string([0x31])])
        #expect(throws: RPCPacketError.malformedFastClose) {
            try RPCPacket(dataMap: map)
        }
    }
}

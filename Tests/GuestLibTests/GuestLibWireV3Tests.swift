// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib
import Testing

@Suite struct GuestLibWireV3Tests {
    static let exampleReply = Fixtures.hex(
        """
        31 20
        03 00 00 00  88 77 66 55 44 33 22 11  1c 00 00 00
        00 00 00 02
        00 00 00 01  00 00 00 01  00 00 01 f4
        00 00 00 02  00 00 00 00  00 00 00 00
        """)

    static let exampleSnapshot = StatisticsSnapshot(
        sessionID: 0x1122_3344_5566_7788,
        entries: [
            StatisticEntry(id: .cpuReservationMHz, isValid: true, value: .uint32(500)),
            StatisticEntry(id: .cpuLimitMHz, isValid: false, value: .uint32(0)),
        ])

    @Test func decodesTheProtocolExample() throws {
        #expect(Self.exampleReply.count == 46)
        let snapshot = try GuestLibWire.decodeV3(Array(Self.exampleReply.dropFirst(2)))
        #expect(snapshot == Self.exampleSnapshot)
    }

    @Test func encodesTheProtocolExample() {
        #expect([0x31, 0x20] + GuestLibWire.encodeV3(Self.exampleSnapshot) == Self.exampleReply)
    }

    @Test func encodesAStringStatAsInTheProtocol() {
        var snapshot = Fixtures.snapshot(count: 17)
        snapshot.entries.append(
            StatisticEntry(id: .resourcePoolPath, isValid: true, value: .bytes(Array("/abc/de".utf8))))
        let encoded = GuestLibWire.encodeV3(snapshot)
        #expect(
            Array(encoded.suffix(20)) == Fixtures.hex("00 00 00 12 00 00 00 01 00 00 00 07 2f 61 62 63 2f 64 65 00"))
    }

    @Test func encodesAU64StatBigEndianHighWordFirst() {
        var snapshot = Fixtures.snapshot(count: 3)
        snapshot.entries.append(StatisticEntry(id: .cpuUsedMs, isValid: true, value: .uint64(0x0102_0304_0506_0708)))
        let encoded = GuestLibWire.encodeV3(snapshot)
        #expect(Array(encoded.suffix(16)) == Fixtures.hex("00 00 00 04 00 00 00 01 01 02 03 04 05 06 07 08"))
    }

    @Test func roundTripsAFullSnapshot() throws {
        let snapshot = Fixtures.fullSnapshot()
        #expect(try GuestLibWire.decodeV3(GuestLibWire.encodeV3(snapshot)) == snapshot)
    }

    @Test func roundTripsInvalidEntriesAndAnOlderHostsShorterList() throws {
        var snapshot = Fixtures.snapshot(count: 30)
        snapshot.entries[20] = .unavailable(.hostCPUCoreCount)
        snapshot.entries[17] = .unavailable(.resourcePoolPath)
        #expect(try GuestLibWire.decodeV3(GuestLibWire.encodeV3(snapshot)) == snapshot)
    }

    @Test func decodingIntoAnArrayLeavesExactlyTheReplysEntries() throws {
        let full = Fixtures.fullSnapshot()
        var shorter = Fixtures.snapshot(count: 30, sessionID: 0x99)
        shorter.entries[5] = .unavailable(shorter.entries[5].id)
        var entries = StatisticID.allCases.prefix(18).map { StatisticEntry.unavailable($0) }

        #expect(try GuestLibWire.decodeV3(GuestLibWire.encodeV3(full), into: &entries) == full.sessionID)
        #expect(entries == full.entries)
        #expect(try GuestLibWire.decodeV3(GuestLibWire.encodeV3(shorter), into: &entries) == shorter.sessionID)
        #expect(entries == shorter.entries)
    }

    @Test func decodingIntoAnArrayThrowsAsTheSnapshotDecoderAndLeavesItEmpty() {
        let xdr = Fixtures.be(2) + Fixtures.u32Entry(id: 1, value: 5) + Fixtures.u32Entry(id: 3, value: 5)
        var entries = Fixtures.fullSnapshot().entries

        #expect(throws: GuestLibWireError.unexpectedID(index: 1, expected: 2, found: 3)) {
            try GuestLibWire.decodeV3(Fixtures.v3Payload(xdr: xdr), into: &entries)
        }
        #expect(entries.isEmpty)
    }

    @Test func acceptsAnEmptyList() throws {
        let snapshot = try GuestLibWire.decodeV3(Fixtures.v3Payload(sessionID: 9, xdr: Fixtures.be(0)))
        #expect(snapshot == StatisticsSnapshot(sessionID: 9, entries: []))
    }

    @Test func rejectsAReplyShorterThanTheHeader() {
        let payload = Array(GuestLibWire.v3Header(sessionID: 1, dataSize: 0).prefix(15))
        #expect(throws: GuestLibWireError.tooShort(length: 15, minimum: 16)) { try GuestLibWire.decodeV3(payload) }
    }

    @Test func rejectsAReplyShorterThanTheVersion() {
        #expect(throws: GuestLibWireError.tooShort(length: 3, minimum: 16)) { try GuestLibWire.decodeV3([3, 0, 0]) }
    }

    @Test func rejectsAnotherVersion() {
        var payload = Fixtures.v3Payload(xdr: Fixtures.be(0))
        payload[0] = 2
        #expect(throws: GuestLibWireError.versionMismatch(expected: 3, found: 2)) { try GuestLibWire.decodeV3(payload) }
    }

    @Test func rejectsADataSizeLargerThanTheReply() {
        let payload = GuestLibWire.v3Header(sessionID: 1, dataSize: 9) + Fixtures.be(0) + [0, 0, 0, 0]
        #expect(throws: GuestLibWireError.dataSizeExceedsReply(dataSize: 9, available: 8)) {
            try GuestLibWire.decodeV3(payload)
        }
    }

    @Test func rejectsAMissingCount() {
        let payload = GuestLibWire.v3Header(sessionID: 1, dataSize: 0) + Fixtures.be(2)
        #expect(
            throws: GuestLibWireError.malformedXDR(
                entryIndex: nil, .needMoreBytes(offset: 16, needed: 4, available: 0))
        ) { try GuestLibWire.decodeV3(payload) }
    }

    @Test func rejectsAnIDOutOfSequence() {
        let xdr = Fixtures.be(2) + Fixtures.u32Entry(id: 1, value: 5) + Fixtures.u32Entry(id: 3, value: 5)
        #expect(throws: GuestLibWireError.unexpectedID(index: 1, expected: 2, found: 3)) {
            try GuestLibWire.decodeV3(Fixtures.v3Payload(xdr: xdr))
        }
    }

    @Test func rejectsIDZero() {
        let xdr = Fixtures.be(1) + Fixtures.u32Entry(id: 0, value: 5)
        #expect(throws: GuestLibWireError.unexpectedID(index: 0, expected: 1, found: 0)) {
            try GuestLibWire.decodeV3(Fixtures.v3Payload(xdr: xdr))
        }
    }

    @Test func rejectsACountLargerThanTheEntriesSent() {
        let xdr = Fixtures.be(3) + Fixtures.u32Entry(id: 1, value: 5) + Fixtures.u32Entry(id: 2, value: 5)
        #expect(
            throws: GuestLibWireError.malformedXDR(
                entryIndex: 2, .needMoreBytes(offset: 44, needed: 4, available: 0))
        ) { try GuestLibWire.decodeV3(Fixtures.v3Payload(xdr: xdr)) }
    }

    @Test func rejectsAnEntryCutInsideItsValue() {
        let xdr = Fixtures.be(1) + Array(Fixtures.u32Entry(id: 1, value: 5).prefix(10))
        #expect(
            throws: GuestLibWireError.malformedXDR(
                entryIndex: 0, .needMoreBytes(offset: 28, needed: 4, available: 2))
        ) { try GuestLibWire.decodeV3(Fixtures.v3Payload(xdr: xdr)) }
    }

    @Test func readsOnlyTheLowEightBitsOfABool() throws {
        let xdr =
            Fixtures.be(2) + Fixtures.u32Entry(id: 1, valid: 0x100, value: 5)
            + Fixtures.u32Entry(id: 2, valid: 0x2, value: 6)
        let snapshot = try GuestLibWire.decodeV3(Fixtures.v3Payload(xdr: xdr))
        #expect(snapshot.entries.map(\.isValid) == [false, true])
    }

    @Test func acceptsAPathOf512Bytes() throws {
        let path = [UInt8](repeating: 0x61, count: 512)
        let xdr = Fixtures.entriesXDR(count: 17) + Fixtures.be(18) + Fixtures.be(1) + Fixtures.be(512) + path
        let snapshot = try GuestLibWire.decodeV3(Fixtures.v3Payload(xdr: Fixtures.be(18) + xdr))
        #expect(snapshot.entries.last == StatisticEntry(id: .resourcePoolPath, isValid: true, value: .bytes(path)))
    }

    @Test func rejectsAPathOf513Bytes() {
        let path = [UInt8](repeating: 0x61, count: 513) + [0, 0, 0]
        let xdr = Fixtures.entriesXDR(count: 17) + Fixtures.be(18) + Fixtures.be(1) + Fixtures.be(513) + path
        let payload = Fixtures.v3Payload(xdr: Fixtures.be(18) + xdr)
        let offset = payload.count - 4 - 516
        #expect(
            throws: GuestLibWireError.malformedXDR(
                entryIndex: 17, .lengthExceedsMaximum(offset: offset, length: 513, maximum: 512))
        ) { try GuestLibWire.decodeV3(payload) }
    }

    @Test func rejectsAStringWithoutItsPadding() {
        let xdr = Fixtures.entriesXDR(count: 17) + Fixtures.be(18) + Fixtures.be(1) + Fixtures.be(7) + [0x2F]
        let payload = Fixtures.v3Payload(xdr: Fixtures.be(18) + xdr + [0x61, 0x62, 0x63, 0x64, 0x65, 0x66])
        #expect(
            throws: GuestLibWireError.malformedXDR(
                entryIndex: 17, .needMoreBytes(offset: payload.count - 7, needed: 8, available: 7))
        ) { try GuestLibWire.decodeV3(payload) }
    }

    @Test func readsOnlyTheFirst38EntriesOfALongerList() throws {
        let full = Fixtures.entriesXDR(count: 38)
        let extra = Fixtures.u32Entry(id: 39, value: 1) + [0xDE, 0xAD]
        let snapshot = try GuestLibWire.decodeV3(Fixtures.v3Payload(xdr: Fixtures.be(40) + full + extra))
        #expect(snapshot == Fixtures.fullSnapshot(sessionID: 1))
    }

    @Test func ignoresBytesAfterDataSize() throws {
        let payload = GuestLibWire.encodeV3(Self.exampleSnapshot) + [0xFF, 0xFF, 0xFF]
        #expect(try GuestLibWire.decodeV3(payload) == Self.exampleSnapshot)
    }

    @Test func ignoresBytesAfterTheEntriesWithinDataSize() throws {
        let xdr = Fixtures.be(1) + Fixtures.u32Entry(id: 1, value: 500) + [1, 2, 3, 4, 5]
        let snapshot = try GuestLibWire.decodeV3(Fixtures.v3Payload(sessionID: 0x1122_3344_5566_7788, xdr: xdr))
        #expect(snapshot.entries == [Self.exampleSnapshot.entries[0]])
    }
}

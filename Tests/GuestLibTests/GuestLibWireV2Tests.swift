// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib
import Testing

@Suite struct GuestLibWireV2Tests {
    static var v2Snapshot: StatisticsSnapshot { Fixtures.snapshot(count: 18, sessionID: 0xA1B2_C3D4_E5F6_0718) }

    @Test func encodesA669ByteLittleEndianImage() {
        let image = GuestLibWire.encodeV2(Self.v2Snapshot)
        #expect(image.count == 669)
        #expect(Array(image[0..<12]) == Fixtures.hex("02 00 00 00 18 07 f6 e5 d4 c3 b2 a1"))
        // cpuReservationMHz (Stat32) at 12: valid, 3 pad bytes, value 100 LE.
        #expect(Array(image[12..<20]) == Fixtures.hex("01 00 00 00 64 00 00 00"))
        // cpuUsedMs (Stat64) at 36: value (4 << 33 | 7) LE.
        #expect(Array(image[36..<48]) == Fixtures.hex("01 00 00 00 07 00 00 00 08 00 00 00"))
        // memoryUsedMB at 136, elapsedMs at 144, the path at 156.
        #expect(Array(image[136..<144]) == Fixtures.hex("01 00 00 00 40 06 00 00"))
        #expect(Array(image[144..<156]) == Fixtures.hex("01 00 00 00 07 00 00 00 22 00 00 00"))
        #expect(image[156] == 1)
        #expect(Array(image[157..<171]) == Array("/host/pool/vm".utf8) + [0])
    }

    @Test func roundTripsEveryV2Statistic() throws {
        #expect(try GuestLibWire.decodeV2(GuestLibWire.encodeV2(Self.v2Snapshot)) == Self.v2Snapshot)
    }

    @Test func ignoresEntriesAboveID18WhenEncoding() {
        #expect(GuestLibWire.encodeV2(Fixtures.fullSnapshot()) == GuestLibWire.encodeV2(Fixtures.snapshot(count: 18)))
    }

    @Test func readsAnyNonZeroValidByteAsValid() throws {
        var image = GuestLibWire.encodeV2(Self.v2Snapshot)
        image[12] = 0x80
        image[20] = 0
        let snapshot = try GuestLibWire.decodeV2(image)
        #expect(snapshot.entries[0].isValid)
        #expect(!snapshot.entries[1].isValid)
    }

    @Test func forcesThePathAreasLastByteToNul() throws {
        var image = GuestLibWire.encodeV2(Self.v2Snapshot)
        image.replaceSubrange(157..<669, with: repeatElement(0x78, count: 512))
        let snapshot = try GuestLibWire.decodeV2(image)
        #expect(snapshot.entries[17].value == .bytes([UInt8](repeating: 0x78, count: 511)))
    }

    @Test func cutsAnOverlongPathTo511BytesWhenEncoding() throws {
        var snapshot = Self.v2Snapshot
        snapshot.entries[17].value = .bytes([UInt8](repeating: 0x79, count: 600))
        let image = GuestLibWire.encodeV2(snapshot)
        #expect(image[667] == 0x79)
        #expect(image[668] == 0)
    }

    @Test func rejectsA668ByteReply() {
        let image = Array(GuestLibWire.encodeV2(Self.v2Snapshot).dropLast())
        #expect(throws: GuestLibWireError.wrongLength(expected: 669, found: 668)) { try GuestLibWire.decodeV2(image) }
    }

    @Test func rejectsA670ByteReply() {
        let image = GuestLibWire.encodeV2(Self.v2Snapshot) + [0]
        #expect(throws: GuestLibWireError.wrongLength(expected: 669, found: 670)) { try GuestLibWire.decodeV2(image) }
    }

    @Test func rejectsAnotherVersion() {
        var image = GuestLibWire.encodeV2(Self.v2Snapshot)
        image[0] = 3
        #expect(throws: GuestLibWireError.versionMismatch(expected: 2, found: 3)) { try GuestLibWire.decodeV2(image) }
    }

    @Test func rejectsAReplyShorterThanTheVersion() {
        #expect(throws: GuestLibWireError.tooShort(length: 2, minimum: 669)) { try GuestLibWire.decodeV2([2, 0]) }
    }
}

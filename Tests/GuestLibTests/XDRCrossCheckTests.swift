// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import Testing
import XDRReference

/// Our V3 codec against Debian's libtirpc `xdr_*` routines (the C helper in Tests/XDRReference).
///
/// Randomised, seeded replies: set `GUESTSDK_XDR_SEED` to replay a failure; every
/// expectation names its seed.
@Suite struct XDRCrossCheckTests {
    static let rounds = 200
    static let baseSeed: UInt64 = {
        let text = ProcessInfo.processInfo.environment["GUESTSDK_XDR_SEED"] ?? ""
        return UInt64(text) ?? 0x5EED_0001
    }()

    @Test func ourDecoderReadsWhatLibtirpcEncodes() throws {
        for round in 0..<Self.rounds {
            let seed = Self.baseSeed &+ UInt64(round)
            let snapshot = Self.randomSnapshot(seed: seed)
            let encoded = try #require(XDRReference.encode(snapshot), "seed \(seed)")
            #expect(try GuestLibWire.decodeV3(encoded) == snapshot, "seed \(seed)")
        }
    }

    @Test func libtirpcDecodesWhatOurEncoderWrites() {
        for round in 0..<Self.rounds {
            let seed = Self.baseSeed &+ 10_000 &+ UInt64(round)
            let snapshot = Self.randomSnapshot(seed: seed)
            #expect(XDRReference.decode(GuestLibWire.encodeV3(snapshot)) == .success(snapshot), "seed \(seed)")
        }
    }

    @Test func bothEncodersWriteTheSameBytes() {
        for round in 0..<Self.rounds {
            let seed = Self.baseSeed &+ 20_000 &+ UInt64(round)
            let snapshot = Self.randomSnapshot(seed: seed)
            #expect(XDRReference.encode(snapshot) == GuestLibWire.encodeV3(snapshot), "seed \(seed)")
        }
    }

    @Test func bothDecodersAgreeOnDamagedReplies() {
        for round in 0..<Self.rounds * 5 {
            let seed = Self.baseSeed &+ 30_000 &+ UInt64(round)
            var random = SplitMix64(seed: seed)
            var bytes = GuestLibWire.encodeV3(Self.randomSnapshot(seed: seed, maximumOpaque: 64))
            for _ in 0...random.next(below: 3) {
                let index = 16 + random.next(below: bytes.count - 16)
                bytes[index] = random.next(below: 4) == 0 ? UInt8(random.next(below: 256)) : bytes[index] ^ 0x01
            }
            if random.next(below: 4) == 0 {
                bytes.removeLast(random.next(below: 8))
            }
            let ours = Result { try GuestLibWire.decodeV3(bytes) }.map(Self.cutAtNul)
            let theirs = XDRReference.decode(bytes).map(Self.cutAtNul)
            switch (ours, theirs) {
            case (.success(let a), .success(let b)): #expect(a == b, "seed \(seed)")
            case (.failure, .failure): break
            default: Issue.record("decoders disagree (seed \(seed)): ours \(ours), libtirpc \(theirs)")
            }
        }
    }

    /// The snapshot with its path cut at the first NUL, as C's strlen sees it.
    static func cutAtNul(_ snapshot: StatisticsSnapshot) -> StatisticsSnapshot {
        var copy = snapshot
        if copy.entries.count >= 18, case .bytes(let path) = copy.entries[17].value {
            copy.entries[17].value = .bytes(Array(path.prefix { $0 != 0 }))
        }
        return copy
    }

    /// A random V3 snapshot: usually all 38 ids, sometimes an older host's shorter list; some entries invalid;
    /// a path of 0 to 512 bytes without NUL; a long path of 0 to `maximumOpaque` arbitrary bytes.
    static func randomSnapshot(seed: UInt64, maximumOpaque: Int = 2_048) -> StatisticsSnapshot {
        var random = SplitMix64(seed: seed)
        let count = random.next(below: 4) == 0 ? random.next(below: 39) : 38
        let entries = StatisticID.allCases.prefix(count).map { id -> StatisticEntry in
            let isValid = random.next(below: 5) != 0
            let value: StatisticValue
            switch id.kind {
            case .uint32: value = .uint32(UInt32(truncatingIfNeeded: random.next()))
            case .uint64: value = .uint64(random.next())
            case .string:
                let length = random.next(below: 3) == 0 ? 512 : random.next(below: 513)
                value = .bytes((0..<length).map { _ in UInt8(1 + random.next(below: 255)) })
            case .opaque:
                value = .bytes((0..<random.next(below: maximumOpaque + 1)).map { _ in UInt8(random.next(below: 256)) })
            }
            return StatisticEntry(id: id, isValid: isValid, value: value)
        }
        return StatisticsSnapshot(sessionID: random.next() | 1, entries: entries)
    }
}

/// A small seeded generator (SplitMix64), so a failing round can be replayed from its seed.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int {
        bound <= 0 ? 0 : Int(self.next() % UInt64(bound))
    }
}

/// Swift access to the libtirpc helper.
enum XDRReference {
    struct Failure: Error, Equatable {
        var code: Int32
    }

    /// Encodes `snapshot` with libtirpc, or nil when it refuses.
    static func encode(_ snapshot: StatisticsSnapshot) -> [UInt8]? {
        var stats = snapshot.entries.map(Self.stat(from:))
        var output = [UInt8](repeating: 0, count: 65_536)
        var length = 0
        let status = xdrref_encode_v3(snapshot.sessionID, &stats, UInt32(stats.count), &output, output.count, &length)
        return status == XDRREF_OK ? Array(output.prefix(length)) : nil
    }

    /// Decodes a V3 reply with libtirpc.
    static func decode(_ reply: [UInt8]) -> Result<StatisticsSnapshot, Failure> {
        var stats = [xdrref_stat](repeating: xdrref_stat(), count: Int(XDRREF_MAX_STATS))
        var session: UInt64 = 0
        var count: UInt32 = 0
        let status = xdrref_decode_v3(reply, reply.count, &session, &stats, &count)
        guard status == XDRREF_OK else { return .failure(Failure(code: status)) }
        return .success(
            StatisticsSnapshot(sessionID: session, entries: stats.prefix(Int(count)).map(Self.entry(from:))))
    }

    static func stat(from entry: StatisticEntry) -> xdrref_stat {
        var stat = xdrref_stat()
        stat.id = entry.id.rawValue
        stat.valid = entry.isValid ? 1 : 0
        switch entry.value {
        case .uint32(let value): stat.u32 = value
        case .uint64(let value): stat.u64 = value
        case .bytes(let bytes):
            stat.length = UInt32(bytes.count)
            withUnsafeMutableBytes(of: &stat.bytes) { $0.copyBytes(from: bytes) }
        }
        return stat
    }

    static func entry(from stat: xdrref_stat) -> StatisticEntry {
        let id = StatisticID(rawValue: stat.id)!
        let value: StatisticValue
        switch Int32(xdrref_kind(stat.id)) {
        case Int32(XDRREF_KIND_U32): value = .uint32(stat.u32)
        case Int32(XDRREF_KIND_U64): value = .uint64(stat.u64)
        default:
            value = .bytes(withUnsafeBytes(of: stat.bytes) { Array($0.prefix(Int(stat.length))) })
        }
        return StatisticEntry(id: id, isValid: stat.valid != 0, value: value)
    }
}

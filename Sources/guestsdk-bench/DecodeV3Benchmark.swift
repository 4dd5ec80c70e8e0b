// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import XDRReference

/// Decoding a full 38-statistic V3 reply: `GuestLibWire.decodeV3` against a C decoder on libtirpc.
///
/// The C decoder writes into an array of entries its caller allocated once; the headline compares it
/// with ours doing the same, `decodeV3(_:into:)` over the last decode's entries (as `update()` does).
/// The second line gives `decodeV3(_:)`, which allocates a new snapshot each time and frees the last.
enum DecodeV3Benchmark {
    static let trials = 11

    /// A reply like a current host's: all 38 ids, host counters valid, a 40-byte pool path.
    static func reply() -> [UInt8] {
        let path = Array("/ha-datacenter/host/esx01/Resources/prod".utf8)
        let entries = StatisticID.allCases.map { id -> StatisticEntry in
            switch id.kind {
            case .uint32: return StatisticEntry(id: id, isValid: true, value: .uint32(id.rawValue * 1_000))
            case .uint64: return StatisticEntry(id: id, isValid: true, value: .uint64(UInt64(id.rawValue) << 32 | 5))
            case .string: return StatisticEntry(id: id, isValid: true, value: .bytes(path))
            case .opaque: return StatisticEntry(id: id, isValid: true, value: .bytes(path))
            }
        }
        return GuestLibWire.encodeV3(StatisticsSnapshot(sessionID: 0x5E55_1011_2233_4455, entries: entries))
    }

    static func run(_ options: BenchmarkOptions) {
        let reply = Self.reply()
        var stats = [xdrref_stat](repeating: xdrref_stat(), count: Int(XDRREF_MAX_STATS))

        // Both decoders must read all 38 entries before either is timed.
        guard let ours = try? GuestLibWire.decodeV3(reply), ours.entries.count == 38 else {
            fatalError("decode-v3: our decoder rejected the benchmark reply")
        }
        var session: UInt64 = 0
        var count: UInt32 = 0
        guard xdrref_decode_v3(reply, reply.count, &session, &stats, &count) == XDRREF_OK, count == 38 else {
            fatalError("decode-v3: the libtirpc decoder rejected the benchmark reply")
        }
        // Each decoder's entries, encoded again by its own side, give back the reply: both read every value.
        var reencoded = [UInt8](repeating: 0, count: reply.count + 64)
        var reencodedLength = 0
        guard GuestLibWire.encodeV3(ours) == reply,
            xdrref_encode_v3(session, stats, count, &reencoded, reencoded.count, &reencodedLength) == XDRREF_OK,
            reencoded[..<reencodedLength] == reply[...]
        else {
            fatalError("decode-v3: a decoder did not read back every value of the benchmark reply")
        }

        var oursTimes: [Double] = []
        var newSnapshotTimes: [Double] = []
        var baselineTimes: [Double] = []
        var sink: UInt64 = 0
        var entries: [StatisticEntry] = []
        for _ in 0..<Self.trials {
            let oursRun = measure(seconds: options.seconds) {
                guard let session = try? GuestLibWire.decodeV3(reply, into: &entries) else { return 0 }
                return session &+ UInt64(entries.count)
            }
            let newSnapshotRun = measure(seconds: options.seconds) {
                guard let snapshot = try? GuestLibWire.decodeV3(reply) else { return 0 }
                return snapshot.sessionID &+ UInt64(snapshot.entries.count)
            }
            let baselineRun = measure(seconds: options.seconds) {
                var session: UInt64 = 0
                var count: UInt32 = 0
                let status = stats.withUnsafeMutableBufferPointer {
                    xdrref_decode_v3(reply, reply.count, &session, $0.baseAddress, &count)
                }
                return session &+ UInt64(count) &+ UInt64(bitPattern: Int64(status))
            }
            oursTimes.append(oursRun.nanoseconds)
            newSnapshotTimes.append(newSnapshotRun.nanoseconds)
            baselineTimes.append(baselineRun.nanoseconds)
            sink &+= oursRun.sink &+ newSnapshotRun.sink &+ baselineRun.sink
        }
        let oursMedian = oursTimes.sorted()[Self.trials / 2]
        let newSnapshotMedian = newSnapshotTimes.sorted()[Self.trials / 2]
        let baselineMedian = baselineTimes.sorted()[Self.trials / 2]
        let result = BenchmarkResult(
            benchmark: "decode-v3", oursNanoseconds: oursMedian, baselineNanoseconds: baselineMedian,
            baseline: "libtirpc", goal: "<= 0.50", goalMet: oursMedian <= 0.5 * baselineMedian,
            otherNanoseconds: ["newSnapshot": newSnapshotMedian])
        result.report(options)
        if !options.json {
            print(
                "  a new snapshot per decode (decodeV3(_:)): \(BenchmarkResult.format(newSnapshotMedian)) ns/op, "
                    + "ratio \(String(format: "%.3f", newSnapshotMedian / baselineMedian))")
        }
        if sink == 42 { print("") }  // Keeps the sink alive.
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// Options every benchmark understands.
struct BenchmarkOptions {
    /// Print one JSON object instead of text.
    var json = false
    /// Time per side and trial, in seconds.
    var seconds = 0.1
}

/// One benchmark's outcome: ours against the baseline, in nanoseconds per operation.
struct BenchmarkResult: Encodable {
    var benchmark: String
    var oursNanoseconds: Double
    var baselineNanoseconds: Double
    var baseline: String
    var goal: String
    var goalMet: Bool
    /// Figures measured beside ours and the baseline, by name, in nanoseconds per operation (JSON only;
    /// the text report prints them in its own words).
    var otherNanoseconds: [String: Double] = [:]

    /// Ours divided by the baseline: under 1 means ours is faster.
    var ratio: Double { self.oursNanoseconds / self.baselineNanoseconds }

    enum CodingKeys: String, CodingKey {
        case benchmark, oursNanoseconds, baselineNanoseconds, baseline, goal, goalMet, ratio, otherNanoseconds
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.benchmark, forKey: .benchmark)
        try container.encode(self.oursNanoseconds, forKey: .oursNanoseconds)
        try container.encode(self.baselineNanoseconds, forKey: .baselineNanoseconds)
        try container.encode(self.baseline, forKey: .baseline)
        try container.encode(self.goal, forKey: .goal)
        try container.encode(self.goalMet, forKey: .goalMet)
        try container.encode(self.ratio, forKey: .ratio)
        if !self.otherNanoseconds.isEmpty {
            try container.encode(self.otherNanoseconds, forKey: .otherNanoseconds)
        }
    }

    /// Prints the result as text or JSON.
    func report(_ options: BenchmarkOptions) {
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try! encoder.encode(self), as: UTF8.self))
        } else {
            let verdict = self.goalMet ? "met" : "NOT met"
            print(
                "\(self.benchmark): ours \(Self.format(self.oursNanoseconds)) ns/op, "
                    + "\(self.baseline) \(Self.format(self.baselineNanoseconds)) ns/op, "
                    + "ratio \(String(format: "%.3f", self.ratio)) (goal \(self.goal): \(verdict))"
            )
        }
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }
}

/// Times `operation` for about `seconds` of this thread's CPU time and returns nanoseconds per call.
///
/// CPU time rather than wall time, so other processes on a shared machine do not count against either side.
///
/// - Parameters:
///   - seconds: the CPU time to spend.
///   - operation: one call of the work; its result is folded into a sink so it is not optimised away.
/// - Returns: nanoseconds per call, and the sink.
func measure(seconds: Double, _ operation: () -> UInt64) -> (nanoseconds: Double, sink: UInt64) {
    var sink: UInt64 = 0
    var iterations = 64
    while true {
        let start = threadCPUNanoseconds()
        for _ in 0..<iterations {
            sink &+= operation()
        }
        let elapsed = Double(threadCPUNanoseconds() - start)
        if elapsed >= seconds * 1e9 || iterations >= 1 << 30 {
            return (elapsed / Double(iterations), sink)
        }
        iterations = elapsed < 1e6 ? iterations * 16 : Int(Double(iterations) * seconds * 1e9 / elapsed) + 1
    }
}

/// This thread's CPU time in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

/// The trial whose ratio is the median of all trials' ratios (the upper median for an even count).
///
/// Both sides of one trial ran back to back and met the same machine; a shared machine drifts between
/// fast and slow spells lasting seconds, so the ratio within a trial is steadier than a ratio of medians.
///
/// - Parameter ratios: one ratio per trial, ours against the baseline.
/// - Returns: the index of the median trial.
func medianTrialIndex(_ ratios: [Double]) -> Int {
    let order = ratios.indices.sorted { ratios[$0] < ratios[$1] }
    return order[order.count / 2]
}

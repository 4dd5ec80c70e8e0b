// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// One registered metric family and its series; guarded by its registry's lock.
final class MetricFamily: @unchecked Sendable {
    /// The value of one series: a number, or a histogram's per-bucket counts, sum and count.
    struct Value {
        var number: Double = 0
        /// Observations per finite bucket, not cumulative; the last element counts those above every bound.
        var bucketCounts: [UInt64] = []
        var sum: Double = 0
        var count: UInt64 = 0
    }

    let name: String
    let help: String
    let type: MetricsRegistry.MetricType
    let labelNames: [String]
    let buckets: [Double]
    let lock: NSLock
    var series: [[String]: Value] = [:]

    init(
        name: String, help: String, type: MetricsRegistry.MetricType, labelNames: [String], buckets: [Double],
        lock: NSLock
    ) {
        self.name = name
        self.help = help
        self.type = type
        self.labelNames = labelNames
        self.buckets = buckets
        self.lock = lock
    }

    /// Runs `body` on the series named by `labels`, creating it at zero first, under the lock.
    func update(_ labels: [String], _ body: (inout Value) -> Void) {
        precondition(
            labels.count == self.labelNames.count,
            "\(self.name) takes \(self.labelNames.count) label values, got \(labels.count)")
        self.lock.withLock {
            var value =
                self.series[labels] ?? Value(bucketCounts: [UInt64](repeating: 0, count: self.buckets.count + 1))
            body(&value)
            self.series[labels] = value
        }
    }

    /// The value of one series, or nil when it has not appeared.
    func value(_ labels: [String]) -> Value? {
        self.lock.withLock { self.series[labels] }
    }

    /// Forgets every series, or those for which `shouldRemove` is true.
    func removeSeries(where shouldRemove: ([String]) -> Bool = { _ in true }) {
        self.lock.withLock {
            self.series = self.series.filter { !shouldRemove($0.key) }
        }
    }

    /// Appends the family's HELP, TYPE and sample lines for `series`, a copy of its series taken under the lock.
    func write(_ series: [[String]: Value], to text: inout String) {
        text += "# HELP \(self.name) \(PrometheusText.escapeHelp(self.help))\n"
        text += "# TYPE \(self.name) \(self.type.rawValue)\n"
        for (labels, value) in series.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            switch self.type {
            case .counter, .gauge:
                text += self.name + self.labelText(labels) + " " + PrometheusText.format(value.number) + "\n"
            case .histogram:
                self.writeHistogram(labels, value, to: &text)
            }
        }
    }

    private func writeHistogram(_ labels: [String], _ value: Value, to text: inout String) {
        var cumulative: UInt64 = 0
        for (index, bound) in self.buckets.enumerated() {
            cumulative += value.bucketCounts[index]
            let le = PrometheusText.format(bound)
            text += "\(self.name)_bucket\(self.labelText(labels, le: le)) \(cumulative)\n"
        }
        text += "\(self.name)_bucket\(self.labelText(labels, le: "+Inf")) \(value.count)\n"
        text += "\(self.name)_sum\(self.labelText(labels)) \(PrometheusText.format(value.sum))\n"
        text += "\(self.name)_count\(self.labelText(labels)) \(value.count)\n"
    }

    /// `{name="value",...}` with `le` last when given; empty when there is no label at all.
    private func labelText(_ values: [String], le: String? = nil) -> String {
        var pairs = zip(self.labelNames, values).map { "\($0)=\"\(PrometheusText.escapeLabelValue($1))\"" }
        if let le { pairs.append("le=\"\(le)\"") }
        return pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
    }
}

/// The escaping and number rules of the Prometheus text format 0.0.4.
enum PrometheusText {
    /// A HELP text with `\` and newline escaped.
    static func escapeHelp(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A label value with `\`, `"` and newline escaped.
    static func escapeLabelValue(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A sample value: integers without a fraction, `+Inf`, `-Inf`, `NaN`, else the shortest exact form.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

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
        let bounds = self.buckets.map(PrometheusText.format) + ["+Inf"]
        for (labels, value) in series.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let pairs = self.labelPairs(labels)
            switch self.type {
            case .counter, .gauge:
                text += self.name
                if !pairs.isEmpty { text += "{" + pairs + "}" }
                text += " " + PrometheusText.format(value.number) + "\n"
            case .histogram:
                let prefix = self.name + "_bucket{" + (pairs.isEmpty ? "" : pairs + ",") + "le=\""
                var cumulative: UInt64 = 0
                for (index, bound) in bounds.enumerated() {
                    cumulative += value.bucketCounts[index]
                    text += prefix + bound + "\"} " + String(cumulative) + "\n"
                }
                let suffix = pairs.isEmpty ? "" : "{" + pairs + "}"
                text += self.name + "_sum" + suffix + " " + PrometheusText.format(value.sum) + "\n"
                text += self.name + "_count" + suffix + " " + String(value.count) + "\n"
            }
        }
    }

    /// `name="value",...` for the label values, escaped; empty when the family has no label.
    private func labelPairs(_ values: [String]) -> String {
        var pairs = ""
        for (index, (name, value)) in zip(self.labelNames, values).enumerated() {
            if index > 0 { pairs += "," }
            pairs += name + "=\"" + PrometheusText.escapeLabelValue(value) + "\""
        }
        return pairs
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
        guard text.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { return text }
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

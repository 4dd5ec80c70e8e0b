// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// A set of Prometheus metric families and the text that shows them, exposition format 0.0.4.
///
/// Families are registered once (`makeCounter`, `makeGauge`, `makeHistogram`) and then
/// updated from any thread through the handles returned. A series is one combination of
/// label values; it appears at its first update. Collectors registered with
/// `addCollector(_:)` run at the start of every `exposition()`, so values kept elsewhere (an
/// engine's snapshot) can be copied in just before a scrape.
///
/// ```swift
/// let registry = MetricsRegistry()
/// let heartbeats = registry.makeCounter(
///     "guestsdk_vm_heartbeats_received_total", help: "Heartbeats.", labelNames: ["vm"])
/// heartbeats.increment(["web01"])
/// print(registry.exposition())
/// ```
public final class MetricsRegistry: @unchecked Sendable {
    /// The HTTP content type of `exposition()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The kind of a metric family, as its `# TYPE` line names it.
    public enum MetricType: String, Sendable {
        /// A value that only goes up (reset when the process restarts).
        case counter
        /// A value that goes up and down.
        case gauge
        /// Observations counted in cumulative buckets, with their sum and count.
        case histogram
    }

    let lock = NSLock()
    var families: [MetricFamily] = []
    private var collectors: [@Sendable () -> Void] = []

    /// Creates an empty registry.
    public init() {}

    /// Registers a counter family.
    ///
    /// - Parameters:
    ///   - name: the metric name, `[a-zA-Z_:][a-zA-Z0-9_:]*`, by convention ending in `_total`.
    ///   - help: one line saying what it counts.
    ///   - labelNames: the names of its labels, in the order values are given to the handle.
    /// - Returns: the handle that updates it.
    public func makeCounter(_ name: String, help: String, labelNames: [String] = []) -> Counter {
        Counter(family: self.register(name, help: help, type: .counter, labelNames: labelNames, buckets: []))
    }

    /// Registers a gauge family.
    ///
    /// - Parameters:
    ///   - name: the metric name.
    ///   - help: one line saying what it measures.
    ///   - labelNames: the names of its labels.
    /// - Returns: the handle that updates it.
    public func makeGauge(_ name: String, help: String, labelNames: [String] = []) -> Gauge {
        Gauge(family: self.register(name, help: help, type: .gauge, labelNames: labelNames, buckets: []))
    }

    /// Registers a histogram family.
    ///
    /// - Parameters:
    ///   - name: the metric name; the exposition adds `_bucket`, `_sum` and `_count`.
    ///   - help: one line saying what it observes.
    ///   - labelNames: the names of its labels; `le` is reserved.
    ///   - buckets: the finite upper bounds, strictly increasing; `+Inf` is added.
    /// - Returns: the handle that updates it.
    public func makeHistogram(
        _ name: String, help: String, labelNames: [String] = [], buckets: [Double]
    ) -> Histogram {
        precondition(!labelNames.contains("le"), "the label name le is reserved for histogram buckets")
        precondition(!buckets.isEmpty, "a histogram needs at least one finite bucket")
        precondition(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 }, "buckets must increase strictly")
        precondition(buckets.allSatisfy(\.isFinite), "bucket bounds must be finite; +Inf is implied")
        return Histogram(
            family: self.register(name, help: help, type: .histogram, labelNames: labelNames, buckets: buckets))
    }

    /// Adds a function that runs at the start of every `exposition()`, outside the registry's lock.
    ///
    /// - Parameter collector: copies current values into this registry's gauges and counters.
    public func addCollector(_ collector: @escaping @Sendable () -> Void) {
        self.lock.withLock { self.collectors.append(collector) }
    }

    /// Removes from every family the series whose label `labelName` has a value not in `values`.
    ///
    /// - Parameters:
    ///   - labelName: the label to look at, such as `vm`; families without it are untouched.
    ///   - values: the values to keep.
    public func retainSeries(withLabel labelName: String, in values: Set<String>) {
        self.lock.withLock {
            for family in self.families {
                guard let index = family.labelNames.firstIndex(of: labelName) else { continue }
                family.series = family.series.filter { values.contains($0.key[index]) }
            }
        }
    }

    /// The names of the registered families, in registration order.
    public var familyNames: [String] {
        self.lock.withLock { self.families.map(\.name) }
    }

    /// Runs the collectors, then writes every family in registration order, series sorted by label values.
    ///
    /// - Returns: the text exposition format 0.0.4, ending in a newline (empty for no families).
    public func exposition() -> String {
        let collectors = self.lock.withLock { self.collectors }
        for collector in collectors {
            collector()
        }
        // Copy the series under the lock (copy-on-write makes it cheap) and format them outside it,
        // so a scrape of thousands of series never holds up the RPC path's updates.
        let snapshots = self.lock.withLock { self.families.map { ($0, $0.series) } }
        var text = ""
        for (family, series) in snapshots {
            family.write(series, to: &text)
        }
        return text
    }

    private func register(
        _ name: String, help: String, type: MetricType, labelNames: [String], buckets: [Double]
    ) -> MetricFamily {
        precondition(Self.isValidMetricName(name), "invalid metric name \(name)")
        for label in labelNames {
            precondition(Self.isValidLabelName(label), "invalid label name \(label) of \(name)")
        }
        return self.lock.withLock {
            precondition(!self.families.contains { $0.name == name }, "metric \(name) registered twice")
            let family = MetricFamily(
                name: name, help: help, type: type, labelNames: labelNames, buckets: buckets, lock: self.lock)
            self.families.append(family)
            return family
        }
    }

    /// True for `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { isNameByte($0) || $0 == UInt8(ascii: ":") }
    }

    /// True for `[a-zA-Z_][a-zA-Z0-9_]*` not starting with `__` (reserved by Prometheus).
    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return !name.hasPrefix("__") && name.utf8.allSatisfy(isNameByte)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}

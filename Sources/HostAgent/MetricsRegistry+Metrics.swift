// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension MetricsRegistry {
    /// The handle of a counter family: adds to a series, or copies a count kept elsewhere.
    public struct Counter: Sendable {
        let family: MetricFamily

        /// Adds `amount` to the series with the given label values.
        ///
        /// - Parameters:
        ///   - labels: one value per label name, in registration order.
        ///   - amount: how much to add; not negative.
        public func increment(_ labels: [String] = [], by amount: Double = 1) {
            precondition(amount >= 0, "a counter never goes down")
            self.family.update(labels) { $0.number += amount }
        }

        /// Sets the series to a count kept elsewhere, such as an engine's number of heartbeats.
        ///
        /// - Parameters:
        ///   - value: the count; it must not go down except when its source restarts.
        ///   - labels: one value per label name.
        public func set(_ value: Double, _ labels: [String] = []) {
            self.family.update(labels) { $0.number = value }
        }

        /// The series' value, or nil when it has not appeared.
        public func value(_ labels: [String] = []) -> Double? {
            self.family.value(labels)?.number
        }
    }

    /// The handle of a gauge family.
    public struct Gauge: Sendable {
        let family: MetricFamily

        /// Sets the series with the given label values.
        ///
        /// - Parameters:
        ///   - value: the new value.
        ///   - labels: one value per label name, in registration order.
        public func set(_ value: Double, _ labels: [String] = []) {
            self.family.update(labels) { $0.number = value }
        }

        /// Adds `amount` (negative to subtract) to the series.
        public func add(_ amount: Double, _ labels: [String] = []) {
            self.family.update(labels) { $0.number += amount }
        }

        /// Forgets every series, such as before a collector writes the current set again.
        public func removeAll() {
            self.family.removeSeries()
        }

        /// The series' value, or nil when it has not appeared.
        public func value(_ labels: [String] = []) -> Double? {
            self.family.value(labels)?.number
        }
    }

    /// The handle of a histogram family.
    public struct Histogram: Sendable {
        let family: MetricFamily

        /// The finite upper bounds of the buckets.
        public var buckets: [Double] { self.family.buckets }

        /// Counts one observation in the first bucket whose bound is at least `value`, and adds it to the sum.
        ///
        /// - Parameters:
        ///   - value: the observation, such as a latency in seconds.
        ///   - labels: one value per label name, in registration order.
        public func observe(_ value: Double, _ labels: [String] = []) {
            let index = self.family.buckets.firstIndex { value <= $0 } ?? self.family.buckets.count
            self.family.update(labels) {
                $0.bucketCounts[index] += 1
                $0.sum += value
                $0.count += 1
            }
        }

        /// The number of observations of the series, or nil when it has not appeared.
        public func count(_ labels: [String] = []) -> UInt64? {
            self.family.value(labels)?.count
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// An event sink that hands every event to several sinks, in the order given.
///
/// Put the durable store first: the engine acts on an event only after `record(_:)` returns, and
/// the metrics and the dashboard should count only what was stored.
public final class HAEventFanOut: HAEventSink {
    private let sinks: [any HAEventSink]

    /// Creates a sink that forwards to `sinks` in order.
    ///
    /// - Parameter sinks: the sinks, such as the SQLite store, `AgentMetrics` and `DashboardFeed`.
    public init(_ sinks: [any HAEventSink]) {
        self.sinks = sinks
    }

    public func record(_ event: HAEvent) {
        for sink in self.sinks {
            sink.record(event)
        }
    }
}

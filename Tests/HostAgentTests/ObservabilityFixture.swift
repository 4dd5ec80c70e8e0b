// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent

/// An HA engine on a manual clock whose events reach a store, the metrics and the dashboard feed.
final class ObservabilityFixture {
    /// Application monitoring on, 10 s interval, 60 s minimum uptime, 3 resets, no window.
    static let settings = HASettings(
        vmMonitoring: .vmAndAppMonitoring, failureInterval: 10, minUpTime: 60, maxFailures: 3, maxFailureWindow: -1)

    let clock = ManualClock()
    let events = InMemoryEventSink()
    let sink = LateBoundSink()
    let engine: HAEngine
    let metrics: AgentMetrics
    let feed: DashboardFeed

    /// Creates the engine with no VM; `server` stands in for the RPC server's counters.
    init(server: RPCServer.Statistics? = nil, feedConfiguration: DashboardFeed.Configuration = .init()) {
        self.engine = HAEngine(
            clock: self.clock, sink: self.sink, configuration: HAEngine.Configuration(resetDelay: .seconds(1)))
        self.metrics = AgentMetrics(engine: self.engine, server: { server })
        self.feed = DashboardFeed(engine: self.engine, clock: self.clock, configuration: feedConfiguration)
        self.sink.sinks = [self.events, self.metrics, self.feed]
    }
}

/// A fan-out sink whose sinks are set after the engine exists.
final class LateBoundSink: HAEventSink, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [any HAEventSink] = []

    var sinks: [any HAEventSink] {
        get { self.lock.withLock { self.storage } }
        set { self.lock.withLock { self.storage = newValue } }
    }

    func record(_ event: HAEvent) {
        for sink in self.sinks {
            sink.record(event)
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The daemon's metrics and dashboard together: made before the `HostDaemon` (whose RPC server
/// takes the latency observer at creation), then attached to it.
///
/// ```swift
/// let observability = AgentObservability(clock: clock)
/// let daemon = try HostDaemon(
///     configuration: configuration,
///     options: HostDaemon.Options(clock: clock, requestObserver: observability.requestObserver))
/// observability.attach(to: daemon)  // /metrics, / and /dashboard/state, fed by stored events
/// try daemon.start()
/// ```
public final class AgentObservability: @unchecked Sendable {
    /// The Prometheus metrics behind `/metrics`.
    public let metrics: AgentMetrics
    /// The dashboard's feed behind `/dashboard/state`.
    public let feed: DashboardFeed

    private let box: WeakDaemon

    /// Creates the metrics and the feed, not yet attached to a daemon (they show no VM until then).
    ///
    /// - Parameters:
    ///   - clock: the daemon's clock.
    ///   - feedConfiguration: how much the dashboard keeps.
    public init(clock: any Clock, feedConfiguration: DashboardFeed.Configuration = DashboardFeed.Configuration()) {
        let box = WeakDaemon()
        self.metrics = AgentMetrics(
            states: { box.daemon?.engine.states() ?? [] }, serverStatistics: { box.daemon?.rpcServer.statistics })
        self.feed = DashboardFeed(
            clock: clock, states: { box.daemon?.engine.states() ?? [] }, configuration: feedConfiguration)
        self.box = box
    }

    /// The RPC server's request observer: RPC latency per VM. Pass it in `HostDaemon.Options`.
    public var requestObserver: @Sendable (RPCServer.RequestRecord) -> Void {
        { [metrics] record in metrics.observe(record) }
    }

    /// Connects to `daemon`: reads its engine and server, counts its stored events, shows its
    /// latest stored events on the dashboard, and adds the three open routes to its router.
    ///
    /// - Parameter daemon: the daemon, created but not necessarily started.
    public func attach(to daemon: HostDaemon) {
        self.box.daemon = daemon
        if let summary = try? daemon.store.eventSummary(), summary.lastID > 0 {
            let keep = Int64(self.feed.configuration.recentEventCount)
            let recent = (try? daemon.store.events(after: max(0, summary.lastID - keep), limit: Int(keep))) ?? []
            recent.forEach { self.feed.record(stored: $0) }
        }
        daemon.eventSink.addObserver { [metrics, feed] event in
            metrics.record(stored: event)
            feed.record(stored: event)
        }
        ObservabilityRoutes(metrics: self.metrics, feed: self.feed).register(on: daemon.httpRouter)
        self.feed.start()
    }

    /// Stops the dashboard's sampling.
    public func stop() {
        self.feed.stop()
    }
}

/// A weak reference to the daemon the closures of `AgentObservability` read through.
private final class WeakDaemon: @unchecked Sendable {
    private let lock = NSLock()
    private weak var stored: HostDaemon?

    var daemon: HostDaemon? {
        get { self.lock.withLock { self.stored } }
        set { self.lock.withLock { self.stored = newValue } }
    }
}

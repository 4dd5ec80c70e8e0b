// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The host agent's Prometheus metrics, served at `/metrics`: per VM what the HA engine knows,
/// and for the agent its RPC connections (open, accepted, refused at the per-VM limit) and bad
/// packets.
///
/// Wire it in three places: as an `HAEventSink` behind the store (resets held back are counted
/// from events, by reason), as the RPC server's `requestObserver` (request latency), and at the
/// HTTP route (`exposition()`). Everything else is copied from the engine's and the server's
/// snapshots at scrape time, so a scrape always shows the current state; a removed VM's series
/// disappear with it.
///
/// ```swift
/// let metrics = AgentMetrics(engine: engine, server: { server.statistics })
/// let sink = HAEventFanOut([store, metrics])
/// ```
public final class AgentMetrics: HAEventSink, @unchecked Sendable {
    /// The upper bounds of the RPC latency buckets, in seconds: 50 µs to 1 s.
    public static let latencyBuckets: [Double] = [
        0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
    ]

    /// The registry holding every family; other components may register more.
    public let registry = MetricsRegistry()

    private let states: @Sendable () -> [HAVMState]
    private let serverStatistics: @Sendable () -> RPCServer.Statistics?
    private let vms: MetricsRegistry.Gauge
    private let appStatus: MetricsRegistry.Gauge
    private let appState: MetricsRegistry.Gauge
    private let enabled: MetricsRegistry.Gauge
    private let uptime: MetricsRegistry.Gauge
    private let sinceHeartbeat: MetricsRegistry.Gauge
    private let heartbeats: MetricsRegistry.Counter
    private let resetsDone: MetricsRegistry.Counter
    private let resetsHeldBack: MetricsRegistry.Counter
    private let latency: MetricsRegistry.Histogram
    private let events: MetricsRegistry.Counter
    private let connectionsAccepted: MetricsRegistry.Counter
    private let connectionsOpen: MetricsRegistry.Gauge
    private let connectionsRefused: MetricsRegistry.Counter
    private let badPackets: MetricsRegistry.Counter
    private let refused: MetricsRegistry.Counter

    /// Creates the metrics over snapshot functions.
    ///
    /// - Parameters:
    ///   - states: the HA engine's VM snapshots, such as `engine.states`.
    ///   - serverStatistics: the RPC server's counters, or nil when no server runs.
    public init(
        states: @escaping @Sendable () -> [HAVMState],
        serverStatistics: @escaping @Sendable () -> RPCServer.Statistics?
    ) {
        self.states = states
        self.serverStatistics = serverStatistics
        let registry = self.registry
        let vm = ["vm"]
        self.vms = registry.makeGauge("guestsdk_vms", help: "VMs the agent serves.")
        self.appStatus = registry.makeGauge(
            "guestsdk_vm_app_heartbeat_status",
            help: "1 for the VM's GuestInfo.appHeartbeatStatus, 0 for the other statuses.",
            labelNames: ["vm", "status"])
        self.appState = registry.makeGauge(
            "guestsdk_vm_app_state", help: "1 for the VM's GuestInfo.appState, 0 for the other states.",
            labelNames: ["vm", "state"])
        self.enabled = registry.makeGauge(
            "guestsdk_vm_app_monitoring_enabled", help: "1 between Enable and Disable, else 0.", labelNames: vm)
        self.uptime = registry.makeGauge(
            "guestsdk_vm_uptime_seconds", help: "Time since the guest powered on or was last reset.",
            labelNames: vm)
        self.sinceHeartbeat = registry.makeGauge(
            "guestsdk_vm_seconds_since_last_heartbeat",
            help: "Time since the last heartbeat or Enable; absent when there was none since the guest started.",
            labelNames: vm)
        self.heartbeats = registry.makeCounter(
            "guestsdk_vm_heartbeats_received_total", help: "MarkActive calls honoured.", labelNames: vm)
        self.resetsDone = registry.makeCounter(
            "guestsdk_vm_resets_total", help: "Resets the HA engine ran.", labelNames: vm)
        self.resetsHeldBack = registry.makeCounter(
            "guestsdk_vm_resets_held_back_total", help: "Resets wanted but held back, by reason.",
            labelNames: ["vm", "reason"])
        self.latency = registry.makeHistogram(
            "guestsdk_vm_rpc_request_duration_seconds", help: "Time the agent took to answer a guest RPC.",
            labelNames: vm, buckets: Self.latencyBuckets)
        self.events = registry.makeCounter("guestsdk_ha_events_total", help: "Events the HA engine recorded.")
        self.connectionsAccepted = registry.makeCounter(
            "guestsdk_rpc_connections_accepted_total", help: "Guest connections accepted, Unix and vsock.")
        self.connectionsOpen = registry.makeGauge(
            "guestsdk_rpc_connections_open", help: "Guest connections open now.")
        self.connectionsRefused = registry.makeCounter(
            "guestsdk_rpc_connections_refused_total",
            help: "Guest connections closed at once because their VM held its connection limit.")
        self.badPackets = registry.makeCounter(
            "guestsdk_rpc_bad_packets_total", help: "Connections closed after a bad packet, by reason.",
            labelNames: ["reason"])
        self.refused = registry.makeCounter(
            "guestsdk_rpc_requests_refused_total", help: "Requests the secure channel refused.")
        registry.addCollector { [weak self] in self?.collect() }
    }

    /// Creates the metrics for a running engine and, when given, an RPC server's counters.
    ///
    /// - Parameters:
    ///   - engine: the HA engine whose VMs are shown.
    ///   - server: reads the RPC server's counters, such as `{ server.statistics }`.
    public convenience init(engine: HAEngine, server: (@Sendable () -> RPCServer.Statistics?)? = nil) {
        self.init(states: { engine.states() }, serverStatistics: server ?? { nil })
    }

    /// Counts the event: resets held back by reason, and every event.
    public func record(_ event: HAEvent) {
        self.events.increment()
        if case .resetHeldBack(_, let reason) = event.kind {
            self.resetsHeldBack.increment([event.vmName, reason.rawValue])
        }
    }

    /// Counts an event as the daemon's store hands it to its observers, after its commit.
    ///
    /// - Parameter event: the stored event.
    public func record(stored event: StoredEvent) {
        self.events.increment()
        if event.kind == "reset-held-back", let reason = event.fields["reason"] {
            self.resetsHeldBack.increment([event.vmName, reason])
        }
    }

    /// Adds one answered request to its VM's latency histogram; pass it as the server's `requestObserver`.
    ///
    /// - Parameter request: the record the RPC server hands its observer.
    public func observe(_ request: RPCServer.RequestRecord) {
        self.latency.observe(request.duration.totalSeconds, [request.vmName])
    }

    /// The metrics as Prometheus text, exposition format 0.0.4 (`MetricsRegistry.contentType`).
    public func exposition() -> String {
        self.registry.exposition()
    }

    /// Copies the engine's and the server's snapshots into the registry.
    private func collect() {
        let states = self.states()
        self.registry.retainSeries(withLabel: "vm", in: Set(states.map(\.name)))
        self.vms.set(Double(states.count))
        self.sinceHeartbeat.removeAll()
        for state in states {
            let vm = [state.name]
            for status in AppHeartbeatStatus.allCases {
                self.appStatus.set(status == state.status ? 1 : 0, [state.name, status.rawValue])
            }
            for appState in AppState.allCases {
                self.appState.set(appState == state.appState ? 1 : 0, [state.name, appState.rawValue])
            }
            for reason in ResetHoldReason.allCases {
                self.resetsHeldBack.increment([state.name, reason.rawValue], by: 0)
            }
            self.enabled.set(state.isEnabled ? 1 : 0, vm)
            self.uptime.set(state.uptime.totalSeconds, vm)
            if let since = state.timeSinceLastHeartbeat {
                self.sinceHeartbeat.set(since.totalSeconds, vm)
            }
            self.heartbeats.set(Double(state.heartbeatsReceived), vm)
            self.resetsDone.set(Double(state.resetsDone), vm)
        }
        guard let server = self.serverStatistics() else { return }
        self.connectionsAccepted.set(Double(server.connectionsAccepted))
        self.connectionsOpen.set(Double(server.connectionsOpen))
        self.connectionsRefused.set(Double(server.connectionsRefused))
        self.refused.set(Double(server.refusedRequests))
        for reason in BadPacketReason.allCases {
            self.badPackets.set(Double(server.badPackets[reason, default: 0]), [reason.rawValue])
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The JSON document behind the dashboard page (`GET /dashboard/state`).
public struct DashboardDocument: Codable, Equatable, Sendable {
    /// One VM's tile.
    public struct VM: Codable, Equatable, Sendable {
        /// The VM's name.
        public var name: String
        /// `gray`, `green` or `red`.
        public var status: String
        /// `none`, `appStateOk` or `appStateNeedReset`.
        public var appState: String
        /// True between `Enable` and `Disable`.
        public var enabled: Bool
        /// The VM's `vmMonitoring` setting.
        public var vmMonitoring: String
        /// The failure interval in seconds.
        public var failureInterval: Int
        /// Seconds since power-on or the last reset.
        public var uptimeSeconds: Double
        /// Seconds since the last heartbeat or `Enable`; absent when there was none since the guest started.
        public var secondsSinceHeartbeat: Double?
        /// Heartbeats honoured since the engine started.
        public var heartbeatsReceived: UInt64
        /// Resets done since the engine started.
        public var resetsDone: UInt64
        /// Resets held back since the engine started.
        public var resetsHeldBack: UInt64
        /// The cause of a reset about to run, if any.
        public var pendingReset: String?
        /// Why a wanted reset is held back now, if it is.
        public var heldBackReason: String?
        /// One character per timeline slot, oldest first (`HeartbeatTimeline.Slot.code`).
        public var timeline: String
        /// The VM's newest events, newest first.
        public var events: [Event]

        /// Creates a tile from an engine snapshot.
        public init(_ state: HAVMState, timeline: String, events: [Event]) {
            self.name = state.name
            self.status = state.status.wireText
            self.appState = state.appState.rawValue
            self.enabled = state.isEnabled
            self.vmMonitoring = state.settings.vmMonitoring.rawValue
            self.failureInterval = state.settings.failureInterval
            self.uptimeSeconds = Self.rounded(state.uptime.totalSeconds)
            self.secondsSinceHeartbeat = state.timeSinceLastHeartbeat.map { Self.rounded($0.totalSeconds) }
            self.heartbeatsReceived = state.heartbeatsReceived
            self.resetsDone = state.resetsDone
            self.resetsHeldBack = state.resetsHeldBack
            self.pendingReset = state.pendingReset?.rawValue
            self.heldBackReason = state.heldBackReason?.rawValue
            self.timeline = timeline
            self.events = events
        }

        /// Milliseconds are all a person reads.
        private static func rounded(_ seconds: Double) -> Double {
            (seconds * 1000).rounded() / 1000
        }
    }

    /// One event as the page lists it.
    public struct Event: Codable, Equatable, Sendable {
        /// The engine's sequence number.
        public var sequence: UInt64
        /// Wall-clock time in milliseconds since 1970.
        public var dateMilliseconds: Int64
        /// The VM it concerns.
        public var vm: String
        /// The kind's kebab-case name, such as `reset-started`.
        public var kind: String
        /// The kind's key=value fields, such as `cause=appHeartbeatFailure`, space-separated.
        public var details: String
        /// The app status after the event: `gray`, `green` or `red`.
        public var status: String

        /// Creates the entry for an engine event.
        public init(_ event: HAEvent) {
            self.sequence = event.sequence
            self.dateMilliseconds = Int64((event.date.timeIntervalSince1970 * 1000).rounded())
            self.vm = event.vmName
            self.kind = event.kind.name
            self.details = event.kind.fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            self.status = event.status.wireText
        }

        /// Creates the entry for an event read back from the state store.
        public init(stored event: StoredEvent) {
            self.sequence = UInt64(max(event.id, 0))
            self.dateMilliseconds = Int64((event.date.timeIntervalSince1970 * 1000).rounded())
            self.vm = event.vmName
            self.kind = event.kind
            self.details = event.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " ")
            self.status = AppHeartbeatStatus(rawValue: event.appStatus)?.wireText ?? event.appStatus
        }
    }

    /// When the document was made, in milliseconds since 1970.
    public var generatedAtMilliseconds: Int64
    /// The time one timeline slot covers, in seconds.
    public var slotSeconds: Double
    /// Events the feed has seen since it started.
    public var eventCount: UInt64
    /// The VMs, sorted by name.
    public var vms: [VM]
    /// The agent's newest events, newest first.
    public var events: [Event]
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// One VM as the control API lists it: status, state, uptime, resets, policy, host behaviour and
/// faults.
public struct VMStatusView: Codable, Equatable, Sendable {
    /// Resets over the life of the state store, and the budget now.
    public struct Resets: Codable, Equatable, Sendable {
        /// Resets started.
        public var done: Int
        /// Resets held back, by reason (`minUptime`, `maxFailures`, `appMonitoringOff`).
        public var heldBack: [String: Int]
        /// Resets that count against `maxFailures` now.
        public var counted: Int
        /// The cause of a reset about to run, if any.
        public var pending: String?
        /// Why a wanted reset is held back now, if it is.
        public var heldBackNow: String?
    }

    /// The VM's HA policy.
    public struct Policy: Codable, Equatable, Sendable {
        /// The preset the settings came from, or nil for custom settings.
        public var preset: String?
        /// `vmMonitoringDisabled`, `vmMonitoringOnly` or `vmAndAppMonitoring`.
        public var vmMonitoring: String
        /// Seconds without a heartbeat before red.
        public var failureInterval: Int
        /// Seconds after power-on before a reset may run.
        public var minUpTime: Int
        /// Resets allowed in the window.
        public var maxFailures: Int
        /// The window in seconds; -1 for none.
        public var maxFailureWindow: Int
    }

    /// The faults in force on the VM's endpoint.
    public struct Faults: Codable, Equatable, Sendable {
        /// Each reply's delay in milliseconds.
        public var delayMilliseconds: Int
        /// Whether requests are left unanswered.
        public var hung: Bool
    }

    /// The VM's name.
    public var name: String
    /// `appStatusGray`, `appStatusGreen` or `appStatusRed`.
    public var appHeartbeatStatus: String
    /// `none`, `appStateOk` or `appStateNeedReset`.
    public var appState: String
    /// Whether the application enabled monitoring.
    public var monitoringEnabled: Bool
    /// Whether the host answers the VM's app monitoring commands.
    public var appMonitoringSupported: Bool
    /// Seconds since power-on or the last reset.
    public var uptimeSeconds: Double
    /// Seconds since the last heartbeat (or `Enable`), if there was one since the guest started.
    public var secondsSinceLastHeartbeat: Double?
    /// Heartbeats received in this run of the agent.
    public var heartbeatsReceived: UInt64
    /// Resets done and held back.
    public var resets: Resets
    /// The HA policy.
    public var policy: Policy
    /// The statistics session id, as decimal text (it does not fit a JSON number exactly).
    public var sessionId: String
    /// The statistics host behaviour.
    public var host: GuestLibHostBehaviour
    /// Endpoint faults in force.
    public var faults: Faults
    /// The VM's socket.
    public var socket: String
    /// `config` or `api`.
    public var origin: String
    /// The full definition.
    public var definition: VMDefinition
}

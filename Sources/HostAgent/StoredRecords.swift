// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// A VM definition as the state store keeps it: the definition's JSON and where it came from.
public struct StoredVM: Equatable, Sendable {
    /// Who defined the VM, which decides what a config reload may change.
    public enum Origin: String, Sendable, Codable {
        /// The config file (or the built-in default): a reload adds, changes and removes it.
        case config
        /// The control API: a reload leaves it alone.
        case api
    }

    /// The VM's name.
    public var name: String
    /// The VM's definition as JSON (`VMDefinition`).
    public var definition: Data
    /// Who defined it.
    public var origin: Origin

    /// Creates a record.
    public init(name: String, definition: Data, origin: Origin) {
        self.name = name
        self.definition = definition
        self.origin = origin
    }
}

/// A VM's monitoring state as last committed.
public struct StoredMonitoring: Equatable, Sendable {
    /// True between `Enable` and `Disable`, a reset, a vMotion or a power cycle.
    public var isEnabled: Bool
    /// The vSphere name of the app heartbeat status, such as `appStatusGreen`.
    public var appStatus: String
    /// The vSphere name of the app state, such as `appStateOk`.
    public var appState: String
    /// The last heartbeat written; heartbeats are written in batches, so it may lag.
    public var lastHeartbeat: Date?
    /// When the guest last started (power-on or reset), on the wall clock.
    public var poweredOnAt: Date
    /// When the resets that count against `maxFailures` ran, oldest first.
    public var resetTimes: [Date]
}

/// One event as the state store keeps it.
public struct StoredEvent: Equatable, Sendable, Codable {
    /// The event's id: increasing, never reused, never renumbered across restarts.
    public var id: Int64
    /// When it happened, on the wall clock.
    public var date: Date
    /// The VM it concerns; empty for an event of the agent itself.
    public var vmName: String
    /// What happened, in kebab case, such as `reset-held-back`.
    public var kind: String
    /// The details as key=value fields, such as `reason=minUptime`.
    public var fields: [String: String]
    /// The VM's app heartbeat status after the event.
    public var appStatus: String
    /// The VM's app state after the event.
    public var appState: String
    /// The agent run that recorded it.
    public var run: Int64

    /// Creates an event; `id` and `run` are assigned by the store when it is appended.
    public init(
        id: Int64 = 0, date: Date, vmName: String, kind: String, fields: [String: String] = [:],
        appStatus: String, appState: String, run: Int64 = 0
    ) {
        self.id = id
        self.date = date
        self.vmName = vmName
        self.kind = kind
        self.fields = fields
        self.appStatus = appStatus
        self.appState = appState
        self.run = run
    }
}

/// What an event changes in a VM's stored monitoring state, committed with the event.
public struct MonitoringChange: Equatable, Sendable {
    /// The new enablement, or nil to keep it.
    public var isEnabled: Bool?
    /// Record a new power-on time (the guest started over).
    public var poweredOnAt: Date?
    /// Record a reset at this time for the reset budget.
    public var resetAt: Date?
    /// Forget the recorded resets (power cycle, vMotion).
    public var clearsResets: Bool

    /// Creates a change; by default only status and state are stored.
    public init(
        isEnabled: Bool? = nil, poweredOnAt: Date? = nil, resetAt: Date? = nil, clearsResets: Bool = false
    ) {
        self.isEnabled = isEnabled
        self.poweredOnAt = poweredOnAt
        self.resetAt = resetAt
        self.clearsResets = clearsResets
    }
}

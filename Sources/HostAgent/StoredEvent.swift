// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

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

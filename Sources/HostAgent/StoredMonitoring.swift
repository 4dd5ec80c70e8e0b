// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

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

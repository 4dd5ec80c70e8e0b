// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A snapshot of one VM as the HA engine sees it, for a control API or a dashboard.
public struct HAVMState: Equatable, Sendable {
    /// The VM's name.
    public var name: String
    /// The VM's HA settings.
    public var settings: HASettings
    /// False when the host answers `0 Unknown command` to every `GuestAppMonitor.Cmd.*` of this VM.
    public var appMonitoringSupported: Bool
    /// True between `Enable` and `Disable` (or a vMotion, reset or power cycle).
    public var isEnabled: Bool
    /// `GuestInfo.appHeartbeatStatus`.
    public var status: AppHeartbeatStatus
    /// `GuestInfo.appState`.
    public var appState: AppState
    /// Time since power-on or the last reset, on the engine's clock.
    public var uptime: Duration
    /// Time since the last heartbeat (or `Enable`), or nil when there was none since the guest
    /// started.
    public var timeSinceLastHeartbeat: Duration?
    /// `MarkActive` calls honoured since the engine started.
    public var heartbeatsReceived: UInt64
    /// Resets that count against `maxFailures` now (inside the window, or since power-on without
    /// one).
    public var resetsCounted: Int
    /// Resets done since the engine started.
    public var resetsDone: UInt64
    /// Resets held back since the engine started.
    public var resetsHeldBack: UInt64
    /// The cause of a reset that is requested and about to run, if any.
    public var pendingReset: ResetCause?
    /// Why a wanted reset is held back right now, if it is.
    public var heldBackReason: ResetHoldReason?
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The engine's mutable state for one VM; guarded by the engine's lock.
final class HAVMRecord {
    /// Where a wanted reset stands.
    enum ResetTrack: Equatable {
        case idle
        case pending(cause: ResetCause)
        case holding(cause: ResetCause, reason: ResetHoldReason)
    }

    let name: String
    var settings: HASettings
    var appMonitoringSupported: Bool
    var poweredOnAt: MonotonicInstant
    var isEnabled = false
    var status = AppHeartbeatStatus.appStatusGray
    var appState = AppState.none
    var lastHeartbeat: MonotonicInstant?
    var heartbeatsReceived: UInt64 = 0
    /// When the resets since the last power cycle or vMotion ran, oldest first.
    var resetTimes: [MonotonicInstant] = []
    var resetsDone: UInt64 = 0
    var resetsHeldBack: UInt64 = 0
    var track = ResetTrack.idle
    /// Bumped whenever the heartbeat deadline entry in the queue becomes stale.
    var heartbeatGeneration: UInt64 = 0
    /// Bumped whenever the reset entry in the queue becomes stale.
    var resetGeneration: UInt64 = 0
    var isRemoved = false

    init(
        name: String, settings: HASettings, appMonitoringSupported: Bool,
        poweredOnAt: MonotonicInstant
    ) {
        self.name = name
        self.settings = settings
        self.appMonitoringSupported = appMonitoringSupported
        self.poweredOnAt = poweredOnAt
    }

    /// The resets that count against `maxFailures` at `now`.
    func countedResets(at now: MonotonicInstant) -> ArraySlice<MonotonicInstant> {
        guard let window = self.settings.maxFailureWindowDuration else {
            return self.resetTimes[...]
        }
        let first =
            self.resetTimes.firstIndex { now < $0.advanced(by: window) } ?? self.resetTimes.endIndex
        return self.resetTimes[first...]
    }

    func snapshot(at now: MonotonicInstant) -> HAVMState {
        var pending: ResetCause?
        var held: ResetHoldReason?
        switch self.track {
        case .idle: break
        case .pending(let cause): pending = cause
        case .holding(_, let reason): held = reason
        }
        return HAVMState(
            name: self.name, settings: self.settings,
            appMonitoringSupported: self.appMonitoringSupported,
            isEnabled: self.isEnabled, status: self.status, appState: self.appState,
            uptime: self.poweredOnAt.duration(to: now),
            timeSinceLastHeartbeat: self.lastHeartbeat.map { $0.duration(to: now) },
            heartbeatsReceived: self.heartbeatsReceived,
            resetsCounted: self.countedResets(at: now).count,
            resetsDone: self.resetsDone, resetsHeldBack: self.resetsHeldBack, pendingReset: pending,
            heldBackReason: held)
    }
}

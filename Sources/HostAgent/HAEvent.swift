// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// One thing the HA engine did or saw for a VM, as a plain value an event sink can store.
public struct HAEvent: Equatable, Sendable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Equatable, Sendable {
        /// The VM was added to the engine (powered on, uptime from zero unless given).
        case vmAdded
        /// The VM was resumed from persisted state after the host agent restarted.
        case vmRestored
        /// The VM was removed from the engine.
        case vmRemoved
        /// The VM's settings changed.
        case settingsChanged
        /// The application called `Enable`: the status turned green.
        case enabled
        /// The application called `Disable`: the status turned gray.
        case disabled
        /// The failure interval passed without a heartbeat: the status turned red. `overdue` is how
        /// long after the deadline the engine noticed.
        case heartbeatMissed(overdue: Duration)
        /// A heartbeat arrived while red: the status turned green again.
        case heartbeatResumed
        /// The application posted `appStateOk` with no reset to cancel.
        case appStateOkPosted
        /// The application posted `appStateNeedReset`.
        case needResetPosted
        /// An `appStateOk` arrived before the need-reset's reset ran, and cancelled it.
        case needResetCancelled
        /// The engine decided to reset the VM; the reset runs after the engine's reset delay.
        case resetRequested(cause: ResetCause)
        /// The engine did not reset the VM although `cause` asked for it, because of `reason`.
        case resetHeldBack(cause: ResetCause, reason: ResetHoldReason)
        /// The reset ran: the guest starts over (monitoring off, uptime from zero, status gray).
        case resetStarted(cause: ResetCause)
        /// The reset action finished with `outcome`.
        case resetDone(cause: ResetCause, outcome: ResetOutcome)
        /// The VM moved to another host: status gray, reset counters cleared, `Enable` needed
        /// again.
        case vMotion
        /// The VM was powered off and on: the guest starts over and the reset counters clear.
        case powerCycle

        /// The kind's name in kebab case, such as `reset-held-back`, for storage and logs.
        public var name: String {
            switch self {
            case .vmAdded: "vm-added"
            case .vmRestored: "vm-restored"
            case .vmRemoved: "vm-removed"
            case .settingsChanged: "settings-changed"
            case .enabled: "enabled"
            case .disabled: "disabled"
            case .heartbeatMissed: "heartbeat-missed"
            case .heartbeatResumed: "heartbeat-resumed"
            case .appStateOkPosted: "app-state-ok-posted"
            case .needResetPosted: "need-reset-posted"
            case .needResetCancelled: "need-reset-cancelled"
            case .resetRequested: "reset-requested"
            case .resetHeldBack: "reset-held-back"
            case .resetStarted: "reset-started"
            case .resetDone: "reset-done"
            case .vMotion: "vmotion"
            case .powerCycle: "power-cycle"
            }
        }

        /// The kind's details as key=value fields, such as `reason=minUptime`; empty for most
        /// kinds.
        public var fields: [(key: String, value: String)] {
            switch self {
            case .heartbeatMissed(let overdue):
                [("overdue_ms", String(format: "%.3f", overdue.totalSeconds * 1000))]
            case .resetRequested(let cause), .resetStarted(let cause):
                [("cause", cause.rawValue)]
            case .resetHeldBack(let cause, let reason):
                [("cause", cause.rawValue), ("reason", reason.rawValue)]
            case .resetDone(let cause, let outcome):
                [("cause", cause.rawValue), ("outcome", outcome.description)]
            default:
                []
            }
        }
    }

    /// The event's position in its engine's sequence, from 1, without gaps.
    public var sequence: UInt64
    /// When it happened, on the engine's clock.
    public var time: MonotonicInstant
    /// When it happened, on the wall clock of the machine.
    public var date: Date
    /// The VM it concerns.
    public var vmName: String
    /// What happened.
    public var kind: Kind
    /// The VM's app heartbeat status after the event.
    public var status: AppHeartbeatStatus
    /// The VM's app state after the event.
    public var appState: AppState

    /// Creates an event.
    public init(
        sequence: UInt64, time: MonotonicInstant, date: Date, vmName: String, kind: Kind,
        status: AppHeartbeatStatus, appState: AppState
    ) {
        self.sequence = sequence
        self.time = time
        self.date = date
        self.vmName = vmName
        self.kind = kind
        self.status = status
        self.appState = appState
    }

    /// The event as one line: `12.000s vm=web event=reset-held-back cause=... reason=minUptime
    /// status=red`.
    public var description: String {
        var line = "\(self.time) vm=\(self.vmName) event=\(self.kind.name)"
        for field in self.kind.fields {
            line += " \(field.key)=\(field.value)"
        }
        return line + " status=\(self.status.wireText) appState=\(self.appState.rawValue)"
    }
}

/// Why the engine wanted to reset a VM.
public enum ResetCause: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
    /// The failure interval passed without a heartbeat.
    case appHeartbeatFailure
    /// The application posted `appStateNeedReset`.
    case appStateNeedReset
}

/// Why the engine held a reset back.
public enum ResetHoldReason: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
    /// The VM has been up for less than `minUpTime`; the engine looks again when it reaches it.
    case minUptime
    /// `maxFailures` resets already happened within `maxFailureWindow`; the engine looks again when
    /// the oldest of them leaves the window (never with no window).
    case maxFailures
    /// The VM's `vmMonitoring` is not `vmAndAppMonitoring`: application failures are shown, not
    /// acted on.
    case appMonitoringOff
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The commands an application sends from inside the VM (`GuestAppMonitor.Cmd.*`, PROTOCOL.md
/// §7.1).
extension HAEngine {
    /// `Enable`: turns monitoring on; the status turns green and the first heartbeat is due within
    /// the failure interval. Enabling again restarts the interval.
    ///
    /// - Throws: `HAEngineError` `.unknownVM` or `.appMonitoringUnsupported`.
    public func enable(vmNamed name: String) throws {
        try self.mutate(name) { vm, now in
            vm.isEnabled = true
            vm.lastHeartbeat = now
            vm.status = .appStatusGreen
            vm.heartbeatGeneration &+= 1
            self.insertDeadline(
                for: vm, .heartbeat, at: now.advanced(by: vm.settings.failureIntervalDuration))
            if case .holding(.appHeartbeatFailure, _) = vm.track { self.setTrack(vm, .idle) }
            self.emit(.enabled, for: vm, at: now)
        }
    }

    /// `Disable`: turns monitoring off; the status turns gray and no heartbeat is expected. A reset
    /// already requested still runs; a reset held back for a missed heartbeat is dropped.
    ///
    /// - Throws: `HAEngineError` `.unknownVM` or `.appMonitoringUnsupported`.
    public func disable(vmNamed name: String) throws {
        try self.mutate(name) { vm, now in
            guard vm.isEnabled else { return }
            self.stopMonitoring(vm)
            if case .holding(.appHeartbeatFailure, _) = vm.track { self.setTrack(vm, .idle) }
            self.emit(.disabled, for: vm, at: now)
        }
    }

    /// `MarkActive`: a heartbeat. A red status turns green again.
    ///
    /// - Throws: `HAEngineError` `.unknownVM`, `.appMonitoringUnsupported` or `.notEnabled`.
    public func markActive(vmNamed name: String) throws {
        try self.mutate(name) { vm, now in
            guard vm.isEnabled else { throw HAEngineError(.notEnabled, vmName: name) }
            vm.lastHeartbeat = now
            vm.heartbeatsReceived &+= 1
            guard vm.status == .appStatusRed else { return }
            vm.status = .appStatusGreen
            vm.heartbeatGeneration &+= 1
            self.insertDeadline(
                for: vm, .heartbeat, at: now.advanced(by: vm.settings.failureIntervalDuration))
            if case .holding(.appHeartbeatFailure, _) = vm.track { self.setTrack(vm, .idle) }
            self.emit(.heartbeatResumed, for: vm, at: now)
        }
    }

    /// `IsEnabled`: whether monitoring is on.
    ///
    /// - Throws: `HAEngineError` `.unknownVM` or `.appMonitoringUnsupported`.
    public func isEnabled(vmNamed name: String) throws -> Bool {
        try self.mutate(name) { vm, _ in vm.isEnabled }
    }

    /// `GetAppStatus`: the VM's app heartbeat status.
    ///
    /// - Throws: `HAEngineError` `.unknownVM` or `.appMonitoringUnsupported`.
    public func appStatus(vmNamed name: String) throws -> AppHeartbeatStatus {
        try self.mutate(name) { vm, _ in vm.status }
    }

    /// `PostAppState`: records the application's state; needs no `Enable`.
    ///
    /// `appStateNeedReset` asks for a reset at once (subject to the minimum uptime and the reset
    /// budget); `appStateOk` cancels a need-reset that has not run yet; `none` only clears the
    /// state.
    ///
    /// - Throws: `HAEngineError` `.unknownVM` or `.appMonitoringUnsupported`.
    public func postAppState(_ state: AppState, vmNamed name: String) throws {
        try self.mutate(name) { vm, now in
            vm.appState = state
            switch state {
            case .none:
                break
            case .appStateOk:
                switch vm.track {
                case .pending(.appStateNeedReset), .holding(.appStateNeedReset, _):
                    self.setTrack(vm, .idle)
                    self.emit(.needResetCancelled, for: vm, at: now)
                default:
                    self.emit(.appStateOkPosted, for: vm, at: now)
                }
            case .appStateNeedReset:
                self.emit(.needResetPosted, for: vm, at: now)
                if case .pending = vm.track { return }
                self.evaluateReset(vm, cause: .appStateNeedReset, at: now)
            }
        }
    }
}

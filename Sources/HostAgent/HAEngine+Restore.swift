// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// What a restarted agent knows about a VM from its state database.
public struct HAVMRestoration: Equatable, Sendable {
    /// Whether the application had monitoring enabled.
    public var isEnabled: Bool
    /// The state the application last posted.
    public var appState: AppState
    /// How long the guest has been up (since its power-on or last reset).
    public var uptime: Duration
    /// How long ago each reset that may still count against `maxFailures` ran, oldest first.
    public var resetAges: [Duration]
    /// Why the posted need-reset was last held back, when the previous run held it back: the
    /// same hold is not announced again on every restart.
    public var needResetHeldBack: ResetHoldReason?

    /// Creates a restoration.
    public init(
        isEnabled: Bool, appState: AppState, uptime: Duration, resetAges: [Duration],
        needResetHeldBack: ResetHoldReason? = nil
    ) {
        self.isEnabled = isEnabled
        self.appState = appState
        self.uptime = uptime
        self.resetAges = resetAges
        self.needResetHeldBack = needResetHeldBack
    }
}

extension HAEngine {
    /// Adds a VM as a restarted agent finds it, without a `vmAdded` event.
    ///
    /// An enabled VM is green with its last heartbeat now: the agent was not there to see
    /// heartbeats, so it declares no red before a full failure interval from now. Reset times keep
    /// counting against `maxFailures`. A need-reset that was posted and not yet carried out is
    /// evaluated again, as if posted now; when it is held back for the reason the previous run
    /// recorded, no second `resetHeldBack` event is emitted.
    ///
    /// A reset action that was running when the agent died is not run again here (the daemon
    /// records a `reset-interrupted` event for it instead), so a VM is never reset twice.
    ///
    /// - Parameters:
    ///   - name: the VM's name, unique in the engine.
    ///   - settings: its HA settings.
    ///   - appMonitoringSupported: false makes the service answer `0 Unknown command` to the VM.
    ///   - restoration: the stored state.
    /// - Throws: `HAEngineError` `.duplicateVM` when the name is taken.
    public func restoreVM(
        named name: String, settings: HASettings, appMonitoringSupported: Bool, restoration: HAVMRestoration
    ) throws {
        try self.lock.withLock {
            guard self.vms[name] == nil else { throw HAEngineError(.duplicateVM, vmName: name) }
            let now = self.clock.monotonicNow
            let vm = HAVMRecord(
                name: name, settings: settings, appMonitoringSupported: appMonitoringSupported,
                poweredOnAt: now.advanced(by: .zero - max(restoration.uptime, .zero)))
            vm.appState = restoration.appState
            vm.resetTimes = restoration.resetAges.sorted(by: >).map { now.advanced(by: .zero - $0) }
            self.vms[name] = vm
            if restoration.isEnabled {
                vm.isEnabled = true
                vm.status = .appStatusGreen
                vm.lastHeartbeat = now
                vm.heartbeatGeneration &+= 1
                self.insertDeadline(for: vm, .heartbeat, at: now.advanced(by: settings.failureIntervalDuration))
            }
            if restoration.appState == .appStateNeedReset {
                if let reason = restoration.needResetHeldBack {
                    self.setTrack(vm, .holding(cause: .appStateNeedReset, reason: reason))
                }
                self.evaluateReset(vm, cause: .appStateNeedReset, at: now)
            }
        }
    }

    /// The time since each VM's last heartbeat, for VMs that had one.
    public func timesSinceLastHeartbeat() -> [String: Duration] {
        self.lock.withLock {
            let now = self.clock.monotonicNow
            var result: [String: Duration] = [:]
            for (name, vm) in self.vms {
                if let last = vm.lastHeartbeat { result[name] = last.duration(to: now) }
            }
            return result
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// The HA application-monitoring engine: per VM it tracks heartbeats, decides resets and records
/// events (PROTOCOL.md §16).
///
/// An application enables monitoring with `enable`; the status is then green while `markActive`
/// arrives within the failure interval and red when the interval passes without one. Red, or a
/// posted need-reset, leads to a reset when the VM has been up for `minUpTime` and the reset budget
/// is not spent; otherwise a `resetHeldBack` event says why, and the engine looks again when the
/// hold would end. A requested reset runs after `Configuration.resetDelay`; an `appStateOk` posted
/// before then cancels a need-reset. Every timing decision reads the injected `Clock`; deadlines
/// sit in one priority queue behind one clock timer, and a heartbeat only stores its time.
///
/// With `vmMonitoring` other than `vmAndAppMonitoring` the engine still tracks the status (vSphere
/// shows it) and the app state, but never resets for an application failure: every reset it would
/// have requested is recorded as held back with the reason `appMonitoringOff`.
///
/// All methods are thread-safe. Events reach the sink in sequence order, under the engine's lock.
public final class HAEngine: @unchecked Sendable {
    /// Engine-wide options.
    public struct Configuration: Sendable {
        /// How long a requested reset waits before it runs, so that an `appStateOk` can cancel a
        /// need-reset.
        public var resetDelay: Duration

        /// Creates options; the reset delay is 1 s by default.
        public init(resetDelay: Duration = .seconds(1)) {
            self.resetDelay = resetDelay
        }
    }

    enum DeadlinePurpose {
        case heartbeat
        case reset
    }

    struct DeadlineTarget {
        var vm: HAVMRecord
        var purpose: DeadlinePurpose
        var generation: UInt64
    }

    let lock = NSLock()
    let clock: any Clock
    let sink: any HAEventSink
    let resetAction: any ResetAction
    let configuration: Configuration
    let logger: Logger
    var timer: (any ClockTimer)?
    var vms: [String: HAVMRecord] = [:]
    var deadlines = DeadlineQueue<DeadlineTarget>()
    var armedDeadline: MonotonicInstant?
    var isFiring = false
    var sequence: UInt64 = 0

    /// Creates an engine with no VMs.
    ///
    /// - Parameters:
    ///   - clock: the clock every timing decision reads.
    ///   - sink: where events go.
    ///   - resetAction: what a reset does beyond the engine's own state; simulated by default.
    ///   - configuration: engine-wide options.
    ///   - logger: receives one info line per event, with key=value fields.
    public init(
        clock: any Clock, sink: any HAEventSink,
        resetAction: any ResetAction = SimulatedResetAction(),
        configuration: Configuration = Configuration(), logger: Logger = .disabled
    ) {
        self.clock = clock
        self.sink = sink
        self.resetAction = resetAction
        self.configuration = configuration
        self.logger = logger
        self.timer = clock.makeTimer { [weak self] in self?.fireDueDeadlines() }
    }

    deinit {
        self.timer?.cancel()
    }

    // MARK: VMs

    /// Adds a VM, powered on `uptime` ago, with monitoring not yet enabled (status gray).
    ///
    /// - Parameters:
    ///   - name: the VM's name, unique in the engine.
    ///   - settings: its HA settings.
    ///   - appMonitoringSupported: false makes the service answer `0 Unknown command` to the VM.
    ///   - uptime: how long the VM has already been up, such as when a restarted daemon resumes it.
    /// - Throws: `HAEngineError` `.duplicateVM` when the name is taken.
    public func addVM(
        named name: String, settings: HASettings, appMonitoringSupported: Bool = true,
        uptime: Duration = .zero
    ) throws {
        try self.lock.withLock {
            guard self.vms[name] == nil else { throw HAEngineError(.duplicateVM, vmName: name) }
            let now = self.clock.monotonicNow
            let vm = HAVMRecord(
                name: name, settings: settings, appMonitoringSupported: appMonitoringSupported,
                poweredOnAt: now.advanced(by: .zero - uptime))
            self.vms[name] = vm
            self.emit(.vmAdded, for: vm, at: now)
        }
    }

    /// Resumes a VM from persisted state after the host agent restarted, without a false red.
    ///
    /// An enabled VM turns green with its next heartbeat due a full failure interval from now,
    /// whatever happened while the agent was down. The resets that count against `maxFailures` are
    /// restored from their ages. A need-reset that had not run is not resumed: its application
    /// posts it again if it still wants it.
    ///
    /// - Parameters:
    ///   - name: the VM's name, unique in the engine.
    ///   - settings: its HA settings.
    ///   - appMonitoringSupported: false makes the service answer `0 Unknown command` to the VM.
    ///   - uptime: how long the VM has been up.
    ///   - isEnabled: whether the application had monitoring enabled.
    ///   - appState: the state the application last posted.
    ///   - resetAges: how long ago each reset since the last power cycle or vMotion ran.
    /// - Throws: `HAEngineError` `.duplicateVM` when the name is taken.
    public func restoreVM(
        named name: String, settings: HASettings, appMonitoringSupported: Bool = true, uptime: Duration,
        isEnabled: Bool, appState: AppState, resetAges: [Duration]
    ) throws {
        try self.lock.withLock {
            guard self.vms[name] == nil else { throw HAEngineError(.duplicateVM, vmName: name) }
            let now = self.clock.monotonicNow
            let vm = HAVMRecord(
                name: name, settings: settings, appMonitoringSupported: appMonitoringSupported,
                poweredOnAt: now.advanced(by: .zero - uptime))
            vm.appState = appState == .appStateNeedReset ? .none : appState
            vm.resetTimes = resetAges.map { now.advanced(by: .zero - $0) }.sorted()
            self.vms[name] = vm
            if isEnabled {
                vm.isEnabled = true
                vm.status = .appStatusGreen
                vm.lastHeartbeat = now
                self.insertDeadline(for: vm, .heartbeat, at: now.advanced(by: settings.failureIntervalDuration))
            }
            self.emit(.vmRestored, for: vm, at: now)
        }
    }

    /// Removes a VM; its queued deadlines expire unseen.
    ///
    /// - Throws: `HAEngineError` `.unknownVM`.
    public func removeVM(named name: String) throws {
        try self.lock.withLock {
            guard let vm = self.vms.removeValue(forKey: name) else {
                throw HAEngineError(.unknownVM, vmName: name)
            }
            vm.isRemoved = true
            self.emit(.vmRemoved, for: vm, at: self.clock.monotonicNow)
        }
    }

    /// Replaces a VM's settings; a new failure interval applies to the running heartbeat deadline,
    /// and a held-back reset is looked at again.
    ///
    /// - Throws: `HAEngineError` `.unknownVM`.
    public func updateSettings(_ settings: HASettings, forVM name: String) throws {
        try self.mutate(name, requiresSupport: false) { vm, now in
            vm.settings = settings
            self.emit(.settingsChanged, for: vm, at: now)
            if vm.status == .appStatusGreen, let last = vm.lastHeartbeat {
                vm.heartbeatGeneration &+= 1
                self.insertDeadline(
                    for: vm, .heartbeat, at: last.advanced(by: settings.failureIntervalDuration))
            }
            if case .holding(let cause, _) = vm.track {
                self.evaluateReset(vm, cause: cause, at: now)
            }
        }
    }

    /// Turns a VM's app monitoring support on or off; off answers `0 Unknown command` to every
    /// command.
    ///
    /// - Throws: `HAEngineError` `.unknownVM`.
    public func setAppMonitoringSupported(_ supported: Bool, forVM name: String) throws {
        try self.mutate(name, requiresSupport: false) { vm, _ in
            vm.appMonitoringSupported = supported
            self.logger.info(
                "app monitoring support changed",
                ["vm": name, "supported": supported ? "true" : "false"])
        }
    }

    /// Simulates a vMotion: the status turns gray, monitoring must be enabled again and the reset
    /// counters clear.
    ///
    /// - Throws: `HAEngineError` `.unknownVM`.
    public func vMotion(vmNamed name: String) throws {
        try self.mutate(name, requiresSupport: false) { vm, now in
            self.stopMonitoring(vm)
            vm.resetTimes.removeAll()
            let track = vm.track
            if case .holding = track { self.setTrack(vm, .idle) }
            self.emit(.vMotion, for: vm, at: now)
            if case .holding(.appStateNeedReset, _) = track {
                self.evaluateReset(vm, cause: .appStateNeedReset, at: now)
            }
        }
    }

    /// Simulates a power cycle: the guest starts over, a pending reset is dropped and the reset
    /// counters clear.
    ///
    /// - Throws: `HAEngineError` `.unknownVM`.
    public func powerCycle(vmNamed name: String) throws {
        try self.mutate(name, requiresSupport: false) { vm, now in
            self.restartGuest(vm, at: now)
            vm.resetTimes.removeAll()
            self.setTrack(vm, .idle)
            self.emit(.powerCycle, for: vm, at: now)
        }
    }

    // MARK: Reading state

    /// The names of all VMs, sorted.
    public var vmNames: [String] {
        self.lock.withLock { self.vms.keys.sorted() }
    }

    /// A snapshot of one VM, or nil when there is none of that name.
    public func state(ofVM name: String) -> HAVMState? {
        self.lock.withLock { self.vms[name]?.snapshot(at: self.clock.monotonicNow) }
    }

    /// Snapshots of all VMs, sorted by name.
    public func states() -> [HAVMState] {
        self.lock.withLock {
            let now = self.clock.monotonicNow
            return self.vms.values.map { $0.snapshot(at: now) }.sorted { $0.name < $1.name }
        }
    }

    /// The number of events recorded so far (the last sequence number).
    public var eventCount: UInt64 {
        self.lock.withLock { self.sequence }
    }
}

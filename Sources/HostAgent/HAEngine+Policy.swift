// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// The policy of PROTOCOL.md §16: deadlines, reset decisions, and events. Everything here runs
/// under the engine's lock except the reset actions themselves.
extension HAEngine {
    /// Runs `body` under the lock with the VM named `name` and the clock's current instant.
    func mutate<T>(
        _ name: String, requiresSupport: Bool = true,
        _ body: (HAVMRecord, MonotonicInstant) throws -> T
    ) throws -> T {
        self.lock.lock()
        defer { self.lock.unlock() }
        guard let vm = self.vms[name] else { throw HAEngineError(.unknownVM, vmName: name) }
        guard vm.appMonitoringSupported || !requiresSupport else {
            throw HAEngineError(.appMonitoringUnsupported, vmName: name)
        }
        return try body(vm, self.clock.monotonicNow)
    }

    /// Queues a deadline and arms the clock timer when it is now the earliest one.
    func insertDeadline(
        for vm: HAVMRecord, _ purpose: DeadlinePurpose, at deadline: MonotonicInstant
    ) {
        let generation = purpose == .heartbeat ? vm.heartbeatGeneration : vm.resetGeneration
        self.deadlines.insert(
            DeadlineTarget(vm: vm, purpose: purpose, generation: generation), at: deadline)
        guard !self.isFiring else { return }
        if let armed = self.armedDeadline, armed <= deadline { return }
        self.armedDeadline = deadline
        self.timer?.schedule(at: deadline)
    }

    /// Moves the VM's reset track, making any queued reset deadline stale.
    func setTrack(_ vm: HAVMRecord, _ track: HAVMRecord.ResetTrack) {
        vm.track = track
        vm.resetGeneration &+= 1
    }

    /// Turns monitoring off: status gray, no heartbeat expected.
    func stopMonitoring(_ vm: HAVMRecord) {
        vm.isEnabled = false
        vm.status = .appStatusGray
        vm.heartbeatGeneration &+= 1
    }

    /// Starts the guest over: monitoring off, status gray, no app state, uptime from zero.
    func restartGuest(_ vm: HAVMRecord, at now: MonotonicInstant) {
        self.stopMonitoring(vm)
        vm.appState = .none
        vm.lastHeartbeat = nil
        vm.poweredOnAt = now
    }

    /// Decides what `cause` leads to: a requested reset, or a hold with its reason and a later
    /// look.
    func evaluateReset(_ vm: HAVMRecord, cause: ResetCause, at now: MonotonicInstant) {
        guard vm.settings.resetsOnApplicationFailure else {
            self.hold(vm, cause: cause, reason: .appMonitoringOff, retryAt: nil, at: now)
            return
        }
        let upSince = vm.poweredOnAt.duration(to: now)
        guard upSince >= vm.settings.minUpTimeDuration else {
            let retry = vm.poweredOnAt.advanced(by: vm.settings.minUpTimeDuration)
            self.hold(vm, cause: cause, reason: .minUptime, retryAt: retry, at: now)
            return
        }
        let counted = vm.countedResets(at: now)
        guard counted.count < vm.settings.maxFailures else {
            let retry = vm.settings.maxFailureWindowDuration.flatMap { window in
                counted.first.map { $0.advanced(by: window) }
            }
            self.hold(vm, cause: cause, reason: .maxFailures, retryAt: retry, at: now)
            return
        }
        self.setTrack(vm, .pending(cause: cause))
        self.emit(.resetRequested(cause: cause), for: vm, at: now)
        self.insertDeadline(for: vm, .reset, at: now.advanced(by: self.configuration.resetDelay))
    }

    private func hold(
        _ vm: HAVMRecord, cause: ResetCause, reason: ResetHoldReason,
        retryAt retry: MonotonicInstant?,
        at now: MonotonicInstant
    ) {
        let alreadyHeld = vm.track == .holding(cause: cause, reason: reason)
        self.setTrack(vm, .holding(cause: cause, reason: reason))
        if let retry { self.insertDeadline(for: vm, .reset, at: retry) }
        guard !alreadyHeld else { return }
        vm.resetsHeldBack &+= 1
        self.emit(.resetHeldBack(cause: cause, reason: reason), for: vm, at: now)
    }

    /// Handles every deadline that has passed; the clock timer calls it.
    func fireDueDeadlines() {
        var resets: [(vm: HAVMRecord, cause: ResetCause)] = []
        self.lock.withLock {
            let now = self.clock.monotonicNow
            self.isFiring = true
            self.armedDeadline = nil
            while let entry = self.deadlines.popDue(at: now) {
                let target = entry.payload
                guard !target.vm.isRemoved else { continue }
                switch target.purpose {
                case .heartbeat:
                    self.heartbeatDeadlinePassed(target, at: now)
                case .reset:
                    guard target.generation == target.vm.resetGeneration else { continue }
                    if let cause = self.resetDeadlinePassed(target.vm, at: now) {
                        resets.append((target.vm, cause))
                    }
                }
            }
            self.isFiring = false
            if let earliest = self.deadlines.earliestDeadline {
                self.armedDeadline = earliest
                self.timer?.schedule(at: earliest)
            }
        }
        for reset in resets {
            let vm = reset.vm
            self.resetAction.resetVM(named: vm.name) { [weak self] outcome in
                guard let self else { return }
                self.lock.withLock {
                    self.emit(
                        .resetDone(cause: reset.cause, outcome: outcome), for: vm,
                        at: self.clock.monotonicNow)
                }
            }
        }
    }

    private func heartbeatDeadlinePassed(_ target: DeadlineTarget, at now: MonotonicInstant) {
        let vm = target.vm
        guard target.generation == vm.heartbeatGeneration, vm.isEnabled,
            vm.status == .appStatusGreen,
            let last = vm.lastHeartbeat
        else { return }
        let deadline = last.advanced(by: vm.settings.failureIntervalDuration)
        guard deadline <= now else {
            self.insertDeadline(for: vm, .heartbeat, at: deadline)
            return
        }
        vm.status = .appStatusRed
        self.emit(.heartbeatMissed(overdue: deadline.duration(to: now)), for: vm, at: now)
        if vm.track == .idle {
            self.evaluateReset(vm, cause: .appHeartbeatFailure, at: now)
        }
    }

    /// Runs a pending reset or looks again at a held one; returns the cause when a reset action
    /// must run.
    private func resetDeadlinePassed(_ vm: HAVMRecord, at now: MonotonicInstant) -> ResetCause? {
        switch vm.track {
        case .idle:
            return nil
        case .holding(let cause, _):
            self.evaluateReset(vm, cause: cause, at: now)
            return nil
        case .pending(let cause):
            self.restartGuest(vm, at: now)
            vm.resetTimes.append(now)
            vm.resetsDone &+= 1
            self.setTrack(vm, .idle)
            self.emit(.resetStarted(cause: cause), for: vm, at: now)
            return cause
        }
    }

    /// Numbers an event, hands it to the sink and logs it at info with key=value fields.
    func emit(_ kind: HAEvent.Kind, for vm: HAVMRecord, at now: MonotonicInstant) {
        self.sequence &+= 1
        let event = HAEvent(
            sequence: self.sequence, time: now, date: self.clock.now, vmName: vm.name, kind: kind,
            status: vm.status,
            appState: vm.appState)
        self.sink.record(event)
        let status = vm.status.wireText
        let message = "HA \(kind.name)"
        switch kind {
        case .heartbeatMissed(let overdue):
            let overdueText = String(format: "%.3f", overdue.totalSeconds * 1000)
            self.logger.info(message, ["vm": vm.name, "status": status, "overdue_ms": overdueText])
        case .resetRequested(let cause), .resetStarted(let cause):
            self.logger.info(message, ["vm": vm.name, "status": status, "cause": cause.rawValue])
        case .resetHeldBack(let cause, let reason):
            self.logger.info(
                message,
                [
                    "vm": vm.name, "status": status, "cause": cause.rawValue,
                    "reason": reason.rawValue,
                ])
        case .resetDone(let cause, let outcome):
            let level: Logger.Level = outcome.succeeded ? .info : .warning
            self.logger.log(
                level, message,
                [
                    "vm": vm.name, "status": status, "cause": cause.rawValue,
                    "outcome": outcome.description,
                ])
        default:
            self.logger.info(
                message, ["vm": vm.name, "status": status, "appState": vm.appState.rawValue])
        }
    }
}

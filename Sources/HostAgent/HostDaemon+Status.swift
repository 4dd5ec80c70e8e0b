// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

extension HostDaemon {
    /// The status of one VM, or nil when it is not served.
    public func status(ofVM name: String) -> VMStatusView? {
        guard let served = self.lock.withLock({ self.served[name] }), let state = self.engine.state(ofVM: name) else {
            return nil
        }
        let tally = self.tallyLock.withLock { self.tally }
        return self.view(served, state, tally)
    }

    /// The status of every VM, sorted by name.
    public func statuses() -> [VMStatusView] {
        let served = self.lock.withLock { self.served }
        let tally = self.tallyLock.withLock { self.tally }
        return self.engine.states().compactMap { state in
            served[state.name].map { self.view($0, state, tally) }
        }
    }

    /// Resets done and held back per VM over the life of the store.
    public var resetTally: ResetTally {
        self.tallyLock.withLock { self.tally }
    }

    private func view(_ served: ServedVM, _ state: HAVMState, _ tally: ResetTally) -> VMStatusView {
        let definition = served.definition
        let statistics = self.guestLib.statistics(forVM: definition.name)
        let plan = self.rpcServer.faultPlan(forVM: definition.name) ?? .none
        return VMStatusView(
            name: definition.name, appHeartbeatStatus: state.status.rawValue, appState: state.appState.rawValue,
            monitoringEnabled: state.isEnabled, appMonitoringSupported: state.appMonitoringSupported,
            uptimeSeconds: state.uptime.totalSeconds,
            secondsSinceLastHeartbeat: state.timeSinceLastHeartbeat?.totalSeconds,
            heartbeatsReceived: state.heartbeatsReceived,
            resets: VMStatusView.Resets(
                done: tally.done[definition.name] ?? 0, heldBack: tally.heldBack[definition.name] ?? [:],
                counted: state.resetsCounted, pending: state.pendingReset?.rawValue,
                heldBackNow: state.heldBackReason?.rawValue),
            policy: VMStatusView.Policy(
                preset: definition.preset?.rawValue, vmMonitoring: state.settings.vmMonitoring.rawValue,
                failureInterval: state.settings.failureInterval, minUpTime: state.settings.minUpTime,
                maxFailures: state.settings.maxFailures, maxFailureWindow: state.settings.maxFailureWindow),
            sessionId: String(statistics.sessionID), host: statistics.currentConfiguration.host,
            faults: VMStatusView.Faults(
                delayMilliseconds: Int(plan.replyDelay.totalNanoseconds / 1_000_000), hung: plan.isHung),
            socket: self.rpcServer.socketPath(forVM: definition.name), origin: served.origin.rawValue,
            definition: definition)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import HostAgent
import Testing

@Suite("HA engine: need-reset, its cancellation, vMotion and the field pitfalls")
struct HAEngineAppStateTests {
    let vm = HAEngineFixture.vm

    @Test func needResetWithoutEnableResetsAfterTheResetDelay() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.postAppState(.appStateNeedReset, vmNamed: self.vm)
        #expect(try fixture.state.appState == .appStateNeedReset)
        fixture.advance(.seconds(1))
        #expect(
            fixture.kinds == [
                .needResetPosted, .resetRequested(cause: .appStateNeedReset),
                .resetStarted(cause: .appStateNeedReset),
                .resetDone(cause: .appStateNeedReset, outcome: .simulated),
            ])
        #expect(fixture.times(of: "reset-requested") == [.zero])
        #expect(try fixture.state.appState == AppState.none)
    }

    @Test func needResetWithEnableActsAtOnceWhileGreen() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(5))
        try fixture.engine.postAppState(.appStateNeedReset, vmNamed: self.vm)
        #expect(try fixture.state.status == .appStatusGreen)
        fixture.advance(.seconds(1))
        #expect(fixture.times(of: "reset-started") == [.seconds(6)])
        #expect(try fixture.state.status == .appStatusGray)
    }

    @Test func okPostedBeforeTheResetRunsCancelsIt() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.postAppState(.appStateNeedReset, vmNamed: self.vm)
        fixture.advance(.seconds(1) - .nanoseconds(1))
        try fixture.engine.postAppState(.appStateOk, vmNamed: self.vm)
        fixture.advance(.seconds(86_400))
        #expect(
            fixture.kinds == [
                .needResetPosted, .resetRequested(cause: .appStateNeedReset), .needResetCancelled,
            ])
        #expect(try fixture.state.appState == .appStateOk)
        #expect(try fixture.state.resetsDone == 0)
    }

    @Test func okPostedAfterTheResetRanCancelsNothing() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.postAppState(.appStateNeedReset, vmNamed: self.vm)
        fixture.advance(.seconds(1))
        try fixture.engine.postAppState(.appStateOk, vmNamed: self.vm)
        #expect(fixture.kinds.last == .appStateOkPosted)
        #expect(try fixture.state.resetsDone == 1)
    }

    @Test func okCancelsANeedResetHeldBackByMinUptime() throws {
        let fixture = try HAEngineFixture(uptime: .zero)
        try fixture.engine.postAppState(.appStateNeedReset, vmNamed: self.vm)
        #expect(fixture.kinds.last == .resetHeldBack(cause: .appStateNeedReset, reason: .minUptime))
        try fixture.engine.postAppState(.appStateOk, vmNamed: self.vm)
        fixture.advance(.seconds(600))
        #expect(fixture.names == ["need-reset-posted", "reset-held-back", "need-reset-cancelled"])
    }

    @Test func okDoesNotCancelAResetCausedByRed() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(30))
        try fixture.engine.postAppState(.appStateOk, vmNamed: self.vm)
        fixture.advance(.seconds(1))
        #expect(try fixture.state.resetsDone == 1)
    }

    @Test func vMotionTurnsGrayAndClearsTheResetCounters() throws {
        let settings = HASettings(
            vmMonitoring: .vmAndAppMonitoring, failureInterval: 30, minUpTime: 0, maxFailures: 1,
            maxFailureWindow: -1)
        let fixture = try HAEngineFixture(settings: settings)
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(31))
        #expect(try fixture.state.resetsCounted == 1)
        try fixture.engine.enable(vmNamed: self.vm)
        try fixture.engine.vMotion(vmNamed: self.vm)
        #expect(try fixture.state.status == .appStatusGray)
        #expect(try fixture.state.resetsCounted == 0)
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(31))
        #expect(try fixture.state.resetsDone == 2)
    }

    /// PROTOCOL.md §17 pitfall 3: after a vMotion `MarkActive` fails until the application enables
    /// again.
    @Test func afterVMotionMarkActiveFailsUntilEnable() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        try fixture.engine.vMotion(vmNamed: self.vm)
        #expect(throws: HAEngineError(.notEnabled, vmName: self.vm)) {
            try fixture.engine.markActive(vmNamed: self.vm)
        }
        fixture.advance(.seconds(600))
        #expect(fixture.kinds == [.enabled, .vMotion])
        try fixture.engine.enable(vmNamed: self.vm)
        try fixture.engine.markActive(vmNamed: self.vm)
        #expect(try fixture.state.status == .appStatusGreen)
    }

    /// PROTOCOL.md §17 pitfall 9: an application that stops heartbeating without `Disable` gets its
    /// VM reset.
    @Test func stoppingWithoutDisableTurnsRedThenResets() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        for _ in 0..<10 {
            fixture.advance(.seconds(15))
            try fixture.engine.markActive(vmNamed: self.vm)
        }
        fixture.advance(.seconds(31))
        #expect(
            fixture.names == [
                "enabled", "heartbeat-missed", "reset-requested", "reset-started", "reset-done",
            ])
        #expect(fixture.times(of: "heartbeat-missed") == [.seconds(180)])
    }

    /// PROTOCOL.md §17 pitfall 9: with `Disable` first the status turns gray and nothing is reset.
    @Test func disablingBeforeStoppingTurnsGrayWithoutReset() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(15))
        try fixture.engine.markActive(vmNamed: self.vm)
        try fixture.engine.disable(vmNamed: self.vm)
        fixture.advance(.seconds(7 * 86_400))
        #expect(fixture.names == ["enabled", "disabled"])
        #expect(try fixture.state.status == .appStatusGray)
    }

    @Test func powerCycleClearsTheCountersAndDropsAPendingReset() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.postAppState(.appStateNeedReset, vmNamed: self.vm)
        try fixture.engine.powerCycle(vmNamed: self.vm)
        fixture.advance(.seconds(10))
        #expect(fixture.names == ["need-reset-posted", "reset-requested", "power-cycle"])
        #expect(try fixture.state.uptime == .seconds(10))
    }

    @Test func aRemovedVMIsForgottenAndItsDeadlinesExpireUnseen() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        try fixture.engine.removeVM(named: self.vm)
        fixture.advance(.seconds(60))
        #expect(fixture.names == ["enabled", "vm-removed"])
        #expect(throws: HAEngineError(.unknownVM, vmName: self.vm)) {
            try fixture.engine.enable(vmNamed: self.vm)
        }
    }

    @Test func addingAVMTwiceFails() throws {
        let fixture = try HAEngineFixture()
        #expect(throws: HAEngineError(.duplicateVM, vmName: self.vm)) {
            try fixture.engine.addVM(named: self.vm, settings: HASettings())
        }
    }

    @Test func commandsToAVMWithoutAppMonitoringFail() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.setAppMonitoringSupported(false, forVM: self.vm)
        #expect(throws: HAEngineError(.appMonitoringUnsupported, vmName: self.vm)) {
            try fixture.engine.enable(vmNamed: self.vm)
        }
    }
}

@Suite("HA engine: resuming a VM after the host agent restarted")
struct HAEngineRestoreTests {
    @Test func aRestoredEnabledVMTurnsRedOnlyAFullFailureIntervalAfterTheRestart() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.restoreVM(
            named: "back", settings: HAEngineFixture.appMonitoring, uptime: .seconds(5000), isEnabled: true,
            appState: .appStateOk, resetAges: [])
        #expect(try fixture.engine.appStatus(vmNamed: "back") == .appStatusGreen)
        fixture.advance(.seconds(30) - .nanoseconds(1))
        #expect(try fixture.engine.appStatus(vmNamed: "back") == .appStatusGreen)
        fixture.advance(.nanoseconds(1))
        #expect(try fixture.engine.appStatus(vmNamed: "back") == .appStatusRed)
    }

    @Test func restoredResetsStillCountAgainstTheBudget() throws {
        var settings = HAEngineFixture.appMonitoring
        settings.maxFailures = 2
        settings.maxFailureWindow = 3600
        let fixture = try HAEngineFixture()
        try fixture.engine.restoreVM(
            named: "back", settings: settings, uptime: .seconds(5000), isEnabled: true, appState: .none,
            resetAges: [.seconds(600), .seconds(60)])
        #expect(fixture.engine.state(ofVM: "back")?.resetsCounted == 2)
        fixture.advance(.seconds(30))
        #expect(fixture.sink.events.last?.kind == .resetHeldBack(cause: .appHeartbeatFailure, reason: .maxFailures))
        fixture.advance(.seconds(2970) - .nanoseconds(1))
        #expect(fixture.times(of: "reset-requested").isEmpty)
        fixture.advance(.nanoseconds(1))
        #expect(fixture.times(of: "reset-requested") == [.seconds(3000)])
    }

    @Test func aRestoredVMThatWasNotEnabledStaysGray() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.restoreVM(
            named: "back", settings: HAEngineFixture.appMonitoring, uptime: .zero, isEnabled: false,
            appState: .appStateNeedReset, resetAges: [])
        fixture.advance(.seconds(3600))
        #expect(fixture.engine.state(ofVM: "back")?.status == .appStatusGray)
        #expect(fixture.engine.state(ofVM: "back")?.appState == AppState.none)
        #expect(fixture.sink.events.map(\.kind.name) == ["vm-added", "vm-restored"])
    }
}

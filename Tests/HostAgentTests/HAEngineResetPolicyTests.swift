// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import HostAgent
import Testing

@Suite("HA engine: resets, minimum uptime and the reset budget")
struct HAEngineResetPolicyTests {
    let vm = HAEngineFixture.vm

    /// Application monitoring with no minimum uptime, so only the reset budget holds resets back.
    static func budget(maxFailures: Int, window: Int) -> HASettings {
        HASettings(
            vmMonitoring: .vmAndAppMonitoring, failureInterval: 30, minUpTime: 0,
            maxFailures: maxFailures,
            maxFailureWindow: window)
    }

    /// Enables monitoring and lets the heartbeat lapse until the reset ran (30 s + the 1 s reset
    /// delay).
    func failOnce(_ fixture: HAEngineFixture) throws {
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(31))
    }

    @Test func redLeadsToAResetAfterTheResetDelay() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(31) - .nanoseconds(1))
        #expect(try fixture.state.pendingReset == .appHeartbeatFailure)
        fixture.advance(.nanoseconds(1))
        #expect(
            fixture.kinds == [
                .enabled, .heartbeatMissed(overdue: .zero),
                .resetRequested(cause: .appHeartbeatFailure),
                .resetStarted(cause: .appHeartbeatFailure),
                .resetDone(cause: .appHeartbeatFailure, outcome: .simulated),
            ])
        #expect(fixture.times(of: "reset-started") == [.seconds(31)])
    }

    @Test func aResetStartsTheGuestOver() throws {
        let fixture = try HAEngineFixture()
        try self.failOnce(fixture)
        let state = try fixture.state
        #expect(state.status == .appStatusGray)
        #expect(state.isEnabled == false)
        #expect(state.appState == AppState.none)
        #expect(state.uptime == .zero)
        #expect(state.resetsDone == 1)
        #expect(state.resetsCounted == 1)
        #expect(state.timeSinceLastHeartbeat == nil)
    }

    @Test func aResetIsHeldBackWhileUptimeIsBelowMinUpTime() throws {
        let fixture = try HAEngineFixture(uptime: .zero)
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(30))
        #expect(
            fixture.kinds.last == .resetHeldBack(cause: .appHeartbeatFailure, reason: .minUptime))
        #expect(try fixture.state.heldBackReason == .minUptime)
        fixture.advance(.seconds(90) - .nanoseconds(1))
        #expect(!fixture.names.contains("reset-requested"))
        fixture.advance(.nanoseconds(1))
        #expect(fixture.times(of: "reset-requested") == [.seconds(120)])
        #expect(fixture.times(of: "reset-held-back") == [.seconds(30)])
    }

    @Test func aResetRunsWhenUptimeEqualsMinUpTime() throws {
        let fixture = try HAEngineFixture(uptime: .seconds(90))
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(30))
        #expect(fixture.kinds.last == .resetRequested(cause: .appHeartbeatFailure))
    }

    @Test func aHeartbeatDuringTheMinUptimeHoldCancelsIt() throws {
        let fixture = try HAEngineFixture(uptime: .zero)
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(40))
        try fixture.engine.markActive(vmNamed: self.vm)
        #expect(try fixture.state.heldBackReason == nil)
        for _ in 0..<100 {
            fixture.advance(.seconds(10))
            try fixture.engine.markActive(vmNamed: self.vm)
        }
        #expect(
            fixture.names == [
                "enabled", "heartbeat-missed", "reset-held-back", "heartbeat-resumed",
            ])
    }

    @Test func maxFailuresWithoutAWindowHoldsBackForever() throws {
        let fixture = try HAEngineFixture(settings: Self.budget(maxFailures: 2, window: -1))
        try self.failOnce(fixture)
        try self.failOnce(fixture)
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(30))
        #expect(
            fixture.kinds.last == .resetHeldBack(cause: .appHeartbeatFailure, reason: .maxFailures))
        fixture.advance(.seconds(365 * 86_400))
        #expect(fixture.names.filter { $0 == "reset-started" }.count == 2)
        #expect(try fixture.state.status == .appStatusRed)
        #expect(try fixture.state.resetsHeldBack == 1)
    }

    @Test func maxFailuresWithAWindowResetsAgainWhenTheOldestResetLeavesIt() throws {
        let fixture = try HAEngineFixture(settings: Self.budget(maxFailures: 2, window: 3600))
        try self.failOnce(fixture)  // reset at 31 s
        try self.failOnce(fixture)  // reset at 62 s
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(30))  // red at 92 s: held
        #expect(
            fixture.kinds.last == .resetHeldBack(cause: .appHeartbeatFailure, reason: .maxFailures))
        fixture.advance(.seconds(3631 - 92) - .nanoseconds(1))
        #expect(fixture.times(of: "reset-requested").count == 2)
        fixture.advance(.nanoseconds(1))
        #expect(
            fixture.times(of: "reset-requested") == [.seconds(30), .seconds(61), .seconds(3631)])
    }

    @Test func maxFailuresZeroNeverResets() throws {
        let fixture = try HAEngineFixture(settings: Self.budget(maxFailures: 0, window: 3600))
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(7200))
        #expect(!fixture.names.contains("reset-started"))
    }

    @Test(arguments: [
        (HASettings.Sensitivity.high, 30, 120, 3600),
        (.medium, 60, 240, 86_400),
        (.low, 120, 480, 604_800),
    ])
    func presetsMatchVSphere(
        sensitivity: HASettings.Sensitivity, interval: Int, minUpTime: Int, window: Int
    ) {
        let settings = HASettings.preset(sensitivity)
        #expect(
            settings
                == HASettings(
                    vmMonitoring: .vmAndAppMonitoring, failureInterval: interval,
                    minUpTime: minUpTime, maxFailures: 3,
                    maxFailureWindow: window))
    }

    @Test func theApiDefaultsAreVSpheres() {
        #expect(
            HASettings()
                == HASettings(
                    vmMonitoring: .vmMonitoringDisabled, failureInterval: 30, minUpTime: 120,
                    maxFailures: 3,
                    maxFailureWindow: -1))
    }

    @Test func theHighPresetDeclaresRedAfterThirtySeconds() throws {
        let fixture = try HAEngineFixture(settings: .preset(.high))
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(600))
        #expect(fixture.times(of: "heartbeat-missed") == [.seconds(30)])
    }

    @Test func theLowPresetHoldsBackForEightMinutesAfterPowerOn() throws {
        let fixture = try HAEngineFixture(settings: .preset(.low), uptime: .zero)
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(600))
        #expect(fixture.times(of: "heartbeat-missed") == [.seconds(120)])
        #expect(fixture.times(of: "reset-requested") == [.seconds(480)])
    }
}

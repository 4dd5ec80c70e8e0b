// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import HostAgent
import Testing

@Suite("HA engine: heartbeats and app status")
struct HAEngineHeartbeatTests {
    let vm = HAEngineFixture.vm

    @Test func statusIsGrayBeforeEnable() throws {
        let fixture = try HAEngineFixture()
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusGray)
        #expect(try fixture.engine.isEnabled(vmNamed: self.vm) == false)
    }

    @Test func enableTurnsStatusGreen() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusGreen)
        #expect(try fixture.engine.isEnabled(vmNamed: self.vm))
        #expect(fixture.kinds == [.enabled])
    }

    @Test func statusStaysGreenOneTickBeforeTheFailureInterval() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(30) - .nanoseconds(1))
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusGreen)
        #expect(fixture.kinds == [.enabled])
    }

    @Test func statusTurnsRedExactlyAtTheFailureInterval() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(30))
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusRed)
        #expect(
            fixture.kinds == [
                .enabled, .heartbeatMissed(overdue: .zero),
                .resetRequested(cause: .appHeartbeatFailure),
            ])
        #expect(fixture.times(of: "heartbeat-missed") == [.seconds(30)])
    }

    @Test func aHeartbeatMovesTheDeadline() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(20))
        try fixture.engine.markActive(vmNamed: self.vm)
        fixture.advance(.seconds(30) - .nanoseconds(1))
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusGreen)
        fixture.advance(.nanoseconds(1))
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusRed)
        #expect(fixture.times(of: "heartbeat-missed") == [.seconds(50)])
    }

    @Test func heartbeatsEverySecondNeverTurnRed() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        for _ in 0..<600 {
            fixture.advance(.seconds(1))
            try fixture.engine.markActive(vmNamed: self.vm)
        }
        #expect(fixture.kinds == [.enabled])
        #expect(try fixture.state.heartbeatsReceived == 600)
    }

    @Test func aHeartbeatAfterRedTurnsGreenAgain() throws {
        let fixture = try HAEngineFixture(settings: HASettings(vmMonitoring: .vmMonitoringOnly))
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(31))
        try fixture.engine.markActive(vmNamed: self.vm)
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusGreen)
        #expect(
            fixture.names == [
                "enabled", "heartbeat-missed", "reset-held-back", "heartbeat-resumed",
            ])
        fixture.advance(.seconds(30))
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusRed)
    }

    @Test func markActiveBeforeEnableFailsWithNotEnabled() throws {
        let fixture = try HAEngineFixture()
        #expect(throws: HAEngineError(.notEnabled, vmName: self.vm)) {
            try fixture.engine.markActive(vmNamed: self.vm)
        }
    }

    @Test func disableTurnsGrayAndExpectsNoHeartbeat() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        try fixture.engine.disable(vmNamed: self.vm)
        fixture.advance(.seconds(86_400))
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusGray)
        #expect(fixture.kinds == [.enabled, .disabled])
    }

    @Test func aShorterFailureIntervalAppliesToTheRunningDeadline() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(5))
        var settings = HAEngineFixture.appMonitoring
        settings.failureInterval = 10
        try fixture.engine.updateSettings(settings, forVM: self.vm)
        fixture.advance(.seconds(5))
        #expect(fixture.times(of: "heartbeat-missed") == [.seconds(10)])
    }

    @Test func vmMonitoringOnlyShowsRedButHoldsTheReset() throws {
        let fixture = try HAEngineFixture(settings: HASettings(vmMonitoring: .vmMonitoringOnly))
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(86_400))
        #expect(try fixture.engine.appStatus(vmNamed: self.vm) == .appStatusRed)
        #expect(
            fixture.kinds == [
                .enabled, .heartbeatMissed(overdue: .zero),
                .resetHeldBack(cause: .appHeartbeatFailure, reason: .appMonitoringOff),
            ])
    }

    @Test func eventsAreNumberedWithoutGaps() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(40))
        let sequences = fixture.sink.events.map(\.sequence)
        #expect(sequences == Array(1...UInt64(sequences.count)))
        #expect(fixture.engine.eventCount == UInt64(sequences.count))
    }

    @Test func eachEventIsLoggedAtInfoWithKeyValueFields() throws {
        let fixture = try HAEngineFixture(uptime: .zero)
        try fixture.engine.enable(vmNamed: self.vm)
        fixture.advance(.seconds(30))
        let held = try #require(fixture.log.entries.first { $0.message == "HA reset-held-back" })
        #expect(held.level == .info)
        #expect(
            held.metadata.map { "\($0.key)=\($0.value)" } == [
                "vm=vm-1", "status=red", "cause=appHeartbeatFailure", "reason=minUptime",
            ])
        #expect(fixture.log.entries.count == fixture.sink.events.count)
    }
}

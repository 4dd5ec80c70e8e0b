// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import HostAgent
import Testing

/// A daemon that was never stopped (a crash) and a new one on the same state directory.
@Suite("Host daemon: resuming after a crash")
struct HostDaemonRestartTests {
    /// A clock for the restarted daemon, `seconds` of wall time after `clock`.
    private func laterClock(than clock: ManualClock, by seconds: Double) -> ManualClock {
        ManualClock(start: clock.now.addingTimeInterval(seconds))
    }

    @Test func anEnabledVMIsGreenAfterTheRestartAndRedOnlyAFullFailureIntervalLater() throws {
        let first = try DaemonFixture()
        let monitor = first.appMonitor()
        try monitor.enable()
        first.clock.advance(by: 20.0)
        try monitor.markActive()
        let clock = self.laterClock(than: first.clock, by: 100)

        let second = try DaemonFixture(restartingAfterCrashOf: first, clock: clock)

        #expect(second.daemon.engine.state(ofVM: "vm1")?.status == .appStatusGreen)
        clock.advance(by: Duration.seconds(30) - .nanoseconds(1))
        #expect(second.daemon.engine.state(ofVM: "vm1")?.status == .appStatusGreen)
        clock.advance(by: Duration.nanoseconds(1))
        #expect(second.daemon.engine.state(ofVM: "vm1")?.status == .appStatusRed)
    }

    @Test func aGuestThatKeepsHeartbeatingAcrossTheRestartIsNeverRed() throws {
        let first = try DaemonFixture()
        try first.appMonitor().enable()
        let clock = self.laterClock(than: first.clock, by: 5)
        let second = try DaemonFixture(restartingAfterCrashOf: first, clock: clock)
        let monitor = second.appMonitor()

        for _ in 0..<10 {
            clock.advance(by: 29.0)
            try monitor.markActive()
        }

        let kinds = try second.daemon.store.events(vmName: "vm1").map(\.kind)
        #expect(!kinds.contains("heartbeat-missed"))
        #expect(second.daemon.engine.state(ofVM: "vm1")?.status == .appStatusGreen)
    }

    @Test func aDisabledVMStaysGrayAfterTheRestart() throws {
        let first = try DaemonFixture()
        let monitor = first.appMonitor()
        try monitor.enable()
        try monitor.disable()

        let second = try DaemonFixture(restartingAfterCrashOf: first, clock: self.laterClock(than: first.clock, by: 5))

        #expect(second.daemon.engine.state(ofVM: "vm1")?.status == .appStatusGray)
        #expect(second.daemon.engine.state(ofVM: "vm1")?.isEnabled == false)
    }

    @Test func everyEventOfTheCrashedRunIsStillThereWithItsId() throws {
        let first = try DaemonFixture()
        let monitor = first.appMonitor()
        try monitor.enable()
        first.clock.advance(by: 31.0)
        let before = try first.daemon.store.events(limit: 1000)

        let second = try DaemonFixture(restartingAfterCrashOf: first, clock: self.laterClock(than: first.clock, by: 5))

        let after = try second.daemon.store.events(limit: 1000)
        #expect(Array(after.prefix(before.count)) == before)
        #expect(before.map(\.kind).contains("heartbeat-missed"))
        #expect(after.dropFirst(before.count).map(\.kind) == ["vm-resumed"])
    }

    @Test func resetsBeforeTheCrashStillCountAgainstTheBudget() throws {
        var settings = DaemonFixture.fastSettings
        settings.maxFailures = 1
        let first = try DaemonFixture(vms: [VMDefinition(name: "vm1", settings: settings, preset: nil)])
        try first.appMonitor().enable()
        first.clock.advance(by: 31.0)
        first.clock.advance(by: 1.0)
        #expect(first.daemon.resetTally.done["vm1"] == 1)
        let clock = self.laterClock(than: first.clock, by: 5)

        let second = try DaemonFixture(restartingAfterCrashOf: first, clock: clock)
        try second.appMonitor().enable()
        clock.advance(by: 31.0)

        #expect(second.daemon.engine.state(ofVM: "vm1")?.heldBackReason == .maxFailures)
        #expect(second.daemon.resetTally.done["vm1"] == 1)
        #expect(try second.status()["resets"].flatMap { ($0 as? [String: Any])?["done"] as? Int } == 1)
    }

    @Test func aNeedResetNotYetCarriedOutRunsAfterTheRestart() throws {
        let first = try DaemonFixture()
        try first.appMonitor().postAppState(.needReset)
        let clock = self.laterClock(than: first.clock, by: 5)

        let second = try DaemonFixture(restartingAfterCrashOf: first, clock: clock)
        clock.advance(by: 1.0)

        #expect(second.daemon.resetTally.done["vm1"] == 1)
        #expect(second.daemon.engine.state(ofVM: "vm1")?.appState == AppState.none)
    }

    /// Found by a tester: every restart recorded the same hold again and inflated the count of
    /// resets held back.
    @Test func aNeedResetHeldBackBeforeTheCrashIsNotHeldBackAgainOnEveryRestart() throws {
        var settings = DaemonFixture.fastSettings
        settings.maxFailures = 1
        let first = try DaemonFixture(vms: [VMDefinition(name: "vm1", settings: settings, preset: nil)])
        try first.appMonitor().enable()
        first.clock.advance(by: 31.0)
        first.clock.advance(by: 1.0)
        try first.appMonitor().postAppState(.needReset)
        #expect(try first.daemon.store.events(kind: "reset-held-back").count == 1)

        let second = try DaemonFixture(restartingAfterCrashOf: first, clock: self.laterClock(than: first.clock, by: 5))
        let third = try DaemonFixture(restartingAfterCrashOf: second, clock: self.laterClock(than: second.clock, by: 5))

        let held = try third.daemon.store.events(kind: "reset-held-back")
        #expect(held.count == 1)
        #expect(held.first?.fields["reason"] == "maxFailures")
        #expect(third.daemon.engine.state(ofVM: "vm1")?.heldBackReason == .maxFailures)
        #expect(third.daemon.engine.state(ofVM: "vm1")?.appState == .appStateNeedReset)
    }

    @Test func aProgramResetCutShortByTheCrashIsReportedAndNotRunAgain() throws {
        var definition = VMDefinition(name: "vm1", settings: DaemonFixture.fastSettings, preset: nil)
        definition.resetAction = .program(path: "/bin/sh", arguments: ["-c", "sleep 5", "sh"], timeoutSeconds: 10)
        let first = try DaemonFixture(vms: [definition])
        try first.appMonitor().enable()
        first.clock.advance(by: 31.0)
        first.clock.advance(by: 1.0)
        #expect(try first.daemon.store.events(kind: "reset-started").count == 1)

        let second = try DaemonFixture(restartingAfterCrashOf: first, clock: self.laterClock(than: first.clock, by: 5))

        let resumed = try second.daemon.store.events(vmName: "vm1").suffix(2)
        #expect(resumed.map(\.kind) == ["reset-interrupted", "vm-resumed"])
        #expect(second.daemon.resetTally.done["vm1"] == 1)
    }
}

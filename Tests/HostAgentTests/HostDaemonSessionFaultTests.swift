// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import GuestLib
import HostAgent
import Testing

/// Session faults seen from a guest (PROTOCOL.md §5.2, §5.5, §17 3): vMotion, suspend/resume,
/// snapshot revert.
@Suite("Host daemon: session faults seen from a guest")
struct HostDaemonSessionFaultTests {
    @Test func vMotionChangesTheSessionAndTheGuestRenegotiatesFromVersion3() throws {
        let fixture = try DaemonFixture()
        let handle = try fixture.guestLibHandle()
        try handle.update()
        let before = try handle.sessionID.get()
        let requestsBefore = fixture.requestCount()

        let result = try fixture.inject(#"{"fault":"vmotion"}"#)
        try handle.update()

        let after = try handle.sessionID.get()
        #expect(after != before)
        #expect(result["sessionId"] as? String == String(after))
        #expect(handle.protocolVersion == 3)
        #expect(fixture.requestCount() - requestsBefore == 2, "one reply with the new session, then a renegotiation")
    }

    @Test func vMotionTurnsTheAppStatusGrayAndMarkActiveFailsUntilEnable() throws {
        let fixture = try DaemonFixture()
        let monitor = fixture.appMonitor()
        try monitor.enable()
        #expect(try monitor.appStatus().color == .green)

        try fixture.inject(#"{"fault":"vmotion"}"#)

        #expect(try monitor.appStatus().color == .gray)
        #expect(throws: AppMonitorError.self) { try monitor.markActive() }
        try monitor.enable()
        try monitor.markActive()
        #expect(try monitor.appStatus().color == .green)
    }

    @Test func suspendAndResumeChangesTheSessionId() throws {
        let fixture = try DaemonFixture()
        let handle = try fixture.guestLibHandle()
        try handle.update()
        let before = try handle.sessionID.get()

        try fixture.inject(#"{"fault":"suspend-resume"}"#)
        try handle.update()

        #expect(try handle.sessionID.get() != before)
    }

    @Test func snapshotRevertChangesTheSessionIdAndRestartsTheElapsedTime() throws {
        let fixture = try DaemonFixture()
        fixture.clock.advance(by: 600.0)
        let handle = try fixture.guestLibHandle()
        try handle.update()
        let before = try handle.sessionID.get()
        let elapsedBefore = try handle.uint64Value(of: .elapsedMs).get()

        try fixture.inject(#"{"fault":"snapshot-revert"}"#)
        try handle.update()

        #expect(try handle.sessionID.get() != before)
        #expect(try handle.uint64Value(of: .elapsedMs).get() < elapsedBefore)
    }

    @Test func sessionFaultsAreRecordedAsEventsBeforeTheyAct() throws {
        let fixture = try DaemonFixture()

        try fixture.inject(#"{"fault":"vmotion"}"#)

        let kinds = try fixture.daemon.store.events(vmName: "vm1").map(\.kind)
        #expect(Array(kinds.suffix(2)) == ["fault-injected", "vmotion"])
    }
}

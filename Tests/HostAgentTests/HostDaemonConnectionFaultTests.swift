// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import GuestLib
import HostAgent
import Testing

/// Connection faults seen from a guest: late replies, a hung host, dropped connections
/// (PROTOCOL.md §7.3, §17 10). The waits here are the guests' own I/O timeouts, not sleeps.
@Suite("Host daemon: connection faults seen from a guest")
struct HostDaemonConnectionFaultTests {
    @Test func delayedRepliesArriveAfterTheDelay() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"delay","milliseconds":300}"#)
        let handle = try fixture.guestLibHandle()

        let elapsed = try ContinuousClock().measure { try handle.update() }

        #expect(elapsed >= .milliseconds(300))
        #expect(try fixture.status()["faults"].flatMap { ($0 as? [String: Any])?["delayMilliseconds"] as? Int } == 300)
    }

    @Test func aDelayLongerThanTheGuestsTimeoutIsATransportFailure() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"delay","milliseconds":1500}"#)
        let monitor = fixture.appMonitor(timeout: 0.3)

        #expect {
            try monitor.enable()
        } throws: { error in
            if case .transportFailed = (error as? AppMonitorError)?.reason { return true }
            return false
        }
    }

    @Test func aHungHostReadsRequestsAndNeverAnswersSoTheGuestTimesOut() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"hang"}"#)
        let handle = try fixture.guestLibHandle(timeout: 0.3)
        let requestsBefore = fixture.requestCount()

        let elapsed = ContinuousClock().measure {
            #expect(throws: GuestLibError.self) { try handle.update() }
        }

        #expect(elapsed >= .milliseconds(300))
        #expect(fixture.requestCount() == requestsBefore, "no request was answered")
        #expect(handle.snapshot == nil)
    }

    @Test func aHangReachesAKeptConnectionAndTheGuestRecoversWhenItEnds() throws {
        let fixture = try DaemonFixture()
        let monitor = fixture.appMonitor(timeout: 0.3)
        try monitor.enable()

        try fixture.inject(#"{"fault":"hang","enabled":true}"#)
        #expect {
            try monitor.markActive()
        } throws: { error in
            if case .transportFailed = (error as? AppMonitorError)?.reason { return true }
            return false
        }
        try fixture.inject(#"{"fault":"hang","enabled":false}"#)

        try monitor.markActive()
        #expect(try monitor.appStatus().color == .green)
    }

    @Test func clearingTheHangAnswersAgain() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"hang"}"#)
        try fixture.inject(#"{"fault":"clear"}"#)
        let handle = try fixture.guestLibHandle(timeout: 2)

        try handle.update()

        #expect(handle.protocolVersion == 3)
    }

    @Test func droppedConnectionsMakeTheHeartbeatingGuestReconnectWithoutLosingAHeartbeat() throws {
        let fixture = try DaemonFixture()
        let monitor = fixture.appMonitor()
        try monitor.enable()
        try monitor.markActive()
        let acceptedBefore = fixture.daemon.rpcServer.statistics.connectionsAccepted

        let result = try fixture.inject(#"{"fault":"drop-connections"}"#)
        try monitor.markActive()

        #expect(result["connectionsClosed"] as? Int == 1)
        #expect(fixture.daemon.rpcServer.statistics.connectionsAccepted == acceptedBefore + 1)
        #expect(try #require(fixture.daemon.engine.state(ofVM: "vm1")).heartbeatsReceived == 2)
        #expect(try monitor.appStatus().color == .green)
    }

    @Test func connectionsRefusedAtTheVMsLimitAreShownByTheAgentRoute() throws {
        let fixture = try DaemonFixture(maximumConnectionsPerVM: 1)
        let held = try TestClient(path: fixture.socket())
        #expect(try held.request("GuestAppMonitor.Cmd.Enable") == .success("0"))

        let refused = try TestClient(path: fixture.socket())
        #expect(try refused.readsEndOfStream())

        let response = try fixture.controlClient().send("GET", "/v1/agent")
        let agent = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        #expect(agent["connectionsRefused"] as? Int == 1)
        #expect(agent["connectionsOpen"] as? Int == 1)
    }
}

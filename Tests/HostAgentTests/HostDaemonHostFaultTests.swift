// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import GuestLib
import HostAgent
import Testing

/// Host behaviour faults seen from a guest (PROTOCOL.md §5.2, §15, §17 1 and 4).
@Suite("Host daemon: host behaviour faults seen from a guest")
struct HostDaemonHostFaultTests {
    @Test func aV2OnlyHostIsAnsweredWithVersion2AndV3StatisticsAreUnsupported() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"protocol","version":"v2"}"#)
        fixture.clock.advance(by: 1.0)
        let handle = try fixture.guestLibHandle()
        let requestsBefore = fixture.requestCount()

        try handle.update()

        #expect(handle.protocolVersion == 2)
        #expect(fixture.requestCount() - requestsBefore == 2, "3 refused with Unsupported version, then 2")
        #expect(handle.memoryShares64.isSuccess, "falls back to the 32-bit shares")
        #expect(handle.uint64Value(of: .hostCPUUsedMs).failure == .unsupportedVersion)
        #expect(try fixture.status()["host"].flatMap { ($0 as? [String: Any])?["protocol"] as? String } == "v2")
    }

    @Test func switchingBackToAV3HostIsSeenByANewHandle() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"protocol","version":"v2"}"#)
        fixture.clock.advance(by: 1.0)
        try fixture.inject(#"{"fault":"protocol","version":"v3"}"#)
        fixture.clock.advance(by: 1.0)
        let handle = try fixture.guestLibHandle()

        try handle.update()

        #expect(handle.protocolVersion == 3)
    }

    @Test func guestlibDisabledAnswersUnknownCommandSoTheGuestSeesNotEnabled() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"guestlib","enabled":false}"#)
        fixture.clock.advance(by: 1.0)
        let handle = try fixture.guestLibHandle()

        #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        #expect(GuestLibError.notEnabled.text == "VMware Guest API is not enabled on the host")
    }

    @Test func hostInfoOffMakesHostStatisticsNotAvailableAndKeepsGuestStatistics() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"host-info","enabled":false}"#)
        fixture.clock.advance(by: 1.0)
        let handle = try fixture.guestLibHandle()

        try handle.update()

        #expect(handle.uint64Value(of: .hostCPUUsedMs).failure == .notAvailable)
        #expect(handle.uint64Value(of: .hostMemoryPhysicalMB).failure == .notAvailable)
        #expect(handle.cpuReservationMHz.isSuccess)
        #expect(handle.memoryActiveMB.isSuccess)
    }

    @Test func hostInfoOnAgainMakesHostStatisticsAvailable() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"host-info","enabled":false}"#)
        fixture.clock.advance(by: 1.0)
        try fixture.inject(#"{"fault":"host-info","enabled":true}"#)
        fixture.clock.advance(by: 1.0)
        let handle = try fixture.guestLibHandle()

        try handle.update()

        #expect(handle.uint64Value(of: .hostCPUUsedMs).isSuccess)
    }

    @Test func appMonitoringUnsupportedAnswersUnknownCommandSoTheGuestSeesNotSupported() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"app-monitoring","supported":false}"#)
        let monitor = fixture.appMonitor()

        #expect {
            try monitor.enable()
        } throws: { error in
            (error as? AppMonitorError)?.reason == .notSupported
        }
    }

    @Test func definitionFaultsSurviveARestart() throws {
        let fixture = try DaemonFixture()
        try fixture.inject(#"{"fault":"app-monitoring","supported":false}"#)
        try fixture.inject(#"{"fault":"protocol","version":"v2"}"#)

        let restarted = try DaemonFixture(restartingAfterCrashOf: fixture, clock: ManualClock())

        let definition = try #require(restarted.daemon.definition(ofVM: "vm1"))
        #expect(definition.appMonitoringSupported == false)
        #expect(definition.statistics?.host.protocolVersion == .v2)
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }

    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

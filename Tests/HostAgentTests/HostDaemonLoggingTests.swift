// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent
import Testing

/// The daemon logs one line per state change, at info or above, with key=value fields.
@Suite("Host daemon: state-change log lines")
struct HostDaemonLoggingTests {
    private func lines(_ fixture: DaemonFixture, _ message: String) -> [String] {
        fixture.log.entries.filter { $0.message == message }.map { entry in
            ([entry.level.description, entry.message] + entry.metadata.map { "\($0.key)=\($0.value)" })
                .joined(separator: " ")
        }
    }

    @Test func addingAVMLogsOneLineWithItsPolicy() throws {
        let fixture = try DaemonFixture()

        try fixture.daemon.addVM(VMDefinition(name: "web01"))

        #expect(
            self.lines(fixture, "VM added").last
                == "info VM added vm=web01 origin=api preset=high vmMonitoring=vmAndAppMonitoring failureInterval=30"
                + " minUpTime=120 enabled=false")
    }

    @Test func aFaultLogsOneLineNamingItAndItsValue() throws {
        let fixture = try DaemonFixture()

        try fixture.inject(#"{"fault":"delay","milliseconds":250}"#)

        #expect(self.lines(fixture, "fault injected") == ["info fault injected vm=vm1 fault=delay value=250ms"])
    }

    @Test func changingAVMLogsWhatChanged() throws {
        let fixture = try DaemonFixture()
        var definition = try #require(fixture.daemon.definition(ofVM: "vm1"))
        definition.settings.maxFailures = 7
        definition.appMonitoringSupported = false

        try fixture.daemon.updateVM(definition)

        #expect(self.lines(fixture, "VM changed") == ["info VM changed vm=vm1 changed=ha,appMonitoringSupported"])
    }

    @Test func aReloadLogsOneSummaryLine() throws {
        let fixture = try DaemonFixture()
        var configuration = HostConfiguration(stateDirectory: fixture.directory)
        configuration.vms = [VMDefinition(name: "vm2")]

        try fixture.daemon.reload(configuration)

        #expect(
            self.lines(fixture, "config reloaded") == [
                "notice config reloaded added=vm2 removed=vm1 changed= needsRestart="
            ])
    }

    @Test func aResumedVMLogsItsEnablement() throws {
        let first = try DaemonFixture()
        try first.appMonitor().enable()

        let second = try DaemonFixture(restartingAfterCrashOf: first, clock: ManualClock())

        #expect(
            self.lines(second, "VM resumed")
                == [
                    "info VM resumed vm=vm1 origin=config preset=custom vmMonitoring=vmAndAppMonitoring"
                        + " failureInterval=30 minUpTime=0 enabled=true"
                ])
        #expect(self.lines(second, "starting").first?.hasSuffix("previousRun=crashed") == true)
    }
}

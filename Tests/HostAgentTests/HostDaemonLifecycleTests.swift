// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

/// Adding, changing and removing VMs, config reloads and the control API's VM routes.
@Suite("Host daemon: VMs and reloads")
struct HostDaemonLifecycleTests {
    private func configuration(_ fixture: DaemonFixture, _ names: [String]) -> HostConfiguration {
        var configuration = HostConfiguration(stateDirectory: fixture.directory)
        configuration.vms = names.map { VMDefinition(name: $0, settings: DaemonFixture.fastSettings, preset: nil) }
        return configuration
    }

    @Test func aVMAddedThroughTheAPIIsServedAndStored() throws {
        let fixture = try DaemonFixture()

        let response = try fixture.controlClient().send(
            "POST", "/v1/vms", body: Data(#"{"name":"web01","ha":{"preset":"medium"}}"#.utf8))

        #expect(response.status == 201)
        #expect(FileManager.default.fileExists(atPath: fixture.socket("web01")))
        #expect(try fixture.daemon.store.vms().map(\.name) == ["vm1", "web01"])
        #expect(
            try fixture.status("web01")["policy"].flatMap { ($0 as? [String: Any])?["preset"] as? String } == "medium")
    }

    @Test func addingAnExistingVMIsAConflict() throws {
        let fixture = try DaemonFixture()

        let response = try fixture.controlClient().send("POST", "/v1/vms", body: Data(#"{"name":"vm1"}"#.utf8))

        #expect(response.status == 409)
    }

    @Test func aBadDefinitionIsRefusedWithTheKeyPath() throws {
        let fixture = try DaemonFixture()

        let response = try fixture.controlClient().send(
            "POST", "/v1/vms", body: Data(#"{"name":"x","ha":{"failureInterval":"soon"}}"#.utf8))

        #expect(response.status == 400)
        #expect(response.text.contains("ha.failureInterval"))
    }

    @Test func removingAVMClosesItsSocketAndKeepsItsEvents() throws {
        let fixture = try DaemonFixture()

        let response = try fixture.controlClient().send("DELETE", "/v1/vms/vm1")

        #expect(response.status == 200)
        #expect(!FileManager.default.fileExists(atPath: fixture.socket("vm1")))
        #expect(try fixture.daemon.store.events(vmName: "vm1").map(\.kind) == ["vm-added", "vm-removed"])
    }

    @Test func changingThePolicyAppliesToTheRunningEngine() throws {
        let fixture = try DaemonFixture()
        var definition = try #require(fixture.daemon.definition(ofVM: "vm1"))
        definition.settings.failureInterval = 5

        let changes = try fixture.daemon.updateVM(definition)

        #expect(changes == ["ha"])
        #expect(fixture.daemon.engine.state(ofVM: "vm1")?.settings.failureInterval == 5)
    }

    @Test func patchingStatisticsMergesIntoTheCurrentOnes() throws {
        let fixture = try DaemonFixture()
        let client = try fixture.controlClient()
        _ = try client.send("PATCH", "/v1/vms/vm1/statistics", body: Data(#"{"values":{"cpuLimitMHz":1234}}"#.utf8))

        let response = try client.send(
            "PATCH", "/v1/vms/vm1/statistics", body: Data(#"{"host":{"hostInfo":false}}"#.utf8))

        #expect(response.status == 200)
        let statistics = try #require(fixture.daemon.definition(ofVM: "vm1")?.statistics)
        #expect(statistics.values.cpuLimitMHz == 1234)
        #expect(statistics.host.isHostInfoEnabled == false)
    }

    @Test func aReloadAddsRemovesAndChangesConfigVMs() throws {
        let fixture = try DaemonFixture()
        var next = self.configuration(fixture, ["vm2"])

        var summary = try fixture.daemon.reload(next)
        #expect(summary.added == ["vm2"])
        #expect(summary.removed == ["vm1"])
        next.vms[0].settings.failureInterval = 9
        summary = try fixture.daemon.reload(next)

        #expect(summary.changed == ["vm2"])
        #expect(fixture.daemon.vmNames == ["vm2"])
        #expect(fixture.daemon.engine.state(ofVM: "vm2")?.settings.failureInterval == 9)
    }

    @Test func aReloadLeavesVMsAddedThroughTheAPIAlone() throws {
        let fixture = try DaemonFixture()
        try fixture.daemon.addVM(VMDefinition(name: "api1"))

        let summary = try fixture.daemon.reload(self.configuration(fixture, []))

        #expect(summary.removed == ["vm1"])
        #expect(fixture.daemon.vmNames == ["api1"])
    }

    @Test func aReloadWithABadFileChangesNothing() throws {
        let fixture = try DaemonFixture()
        let path = fixture.directory + "/bad.json"
        try Data(#"{"vms":[{"name":"a","nope":1}]}"#.utf8).write(to: URL(fileURLWithPath: path))

        #expect(throws: HostConfigurationError.self) {
            _ = try HostConfiguration.load(contentsOf: path, defaultStateDirectory: fixture.directory)
        }
        #expect(fixture.daemon.vmNames == ["vm1"])
    }

    @Test func eventsArePagedThroughTheAPI() throws {
        let fixture = try DaemonFixture()
        for _ in 0..<3 { try fixture.inject(#"{"fault":"suspend-resume"}"#) }
        let client = try fixture.controlClient()

        let first = try client.send("GET", "/v1/events?after=0&limit=2")
        let json = try #require(try JSONSerialization.jsonObject(with: first.body) as? [String: Any])
        let next = try #require(json["next"] as? Int)
        let second = try client.send("GET", "/v1/events?after=\(next)&limit=10")
        let rest = try #require(try JSONSerialization.jsonObject(with: second.body) as? [String: Any])

        #expect((json["events"] as? [Any])?.count == 2)
        #expect(next == 2)
        #expect((rest["events"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [3, 4])
    }

    @Test func aBadPageArgumentIsRefused() throws {
        let fixture = try DaemonFixture()

        let response = try fixture.controlClient().send("GET", "/v1/events?limit=0")

        #expect(response.status == 400)
    }

    @Test func anUnknownRouteIs404AndAWrongMethod405() throws {
        let fixture = try DaemonFixture()
        let client = try fixture.controlClient()

        #expect(try client.send("GET", "/v1/nothing").status == 404)
        #expect(try client.send("PATCH", "/v1/vms").status == 405)
    }
}

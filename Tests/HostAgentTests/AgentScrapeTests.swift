// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

@Suite("guestsdk-host: /metrics and the dashboard of the running agent")
struct AgentScrapeTests {
    @Test(.timeLimit(.minutes(1)))
    func metricsOfTheRunningAgentParseAndCountItsGuests() throws {
        let fixture = try DashboardAgentFixture(vms: ["a", "b"])
        let guest = try TestClient(path: fixture.directory + "/vms/a.sock")
        #expect(try guest.request("GuestAppMonitor.Cmd.Enable") == .success("0"))
        for _ in 0..<5 {
            #expect(try guest.request("GuestAppMonitor.Cmd.MarkActive") == .success("0"))
        }

        let reply = try fixture.anonymousClient.send("GET", "/metrics")
        let scrape = try PrometheusTextCheck(reply.text)

        #expect(reply.status == 200)
        #expect(scrape.value("guestsdk_vms") == 2)
        #expect(scrape.value("guestsdk_vm_heartbeats_received_total", ["vm": "a"]) == 5)
        #expect(scrape.value("guestsdk_vm_app_heartbeat_status", ["vm": "a", "status": "appStatusGreen"]) == 1)
        #expect(scrape.value("guestsdk_vm_app_heartbeat_status", ["vm": "b", "status": "appStatusGray"]) == 1)
        #expect(scrape.value("guestsdk_vm_app_monitoring_enabled", ["vm": "a"]) == 1)
        #expect(scrape.value("guestsdk_vm_rpc_request_duration_seconds_count", ["vm": "a"]) == 6)
        #expect(scrape.value("guestsdk_vm_rpc_request_duration_seconds_bucket", ["vm": "a", "le": "+Inf"]) == 6)
        #expect(scrape.value("guestsdk_rpc_connections_accepted_total") == 1)
        #expect(scrape.types["guestsdk_vm_rpc_request_duration_seconds"] == "histogram")
        #expect(scrape.samples.count > 40)
    }

    @Test(.timeLimit(.minutes(1)))
    func readRoutesNeedNoTokenWhileChangesStillDo() throws {
        let fixture = try DashboardAgentFixture(vms: ["a"])
        let anonymous = fixture.anonymousClient

        #expect(try anonymous.send("GET", "/").status == 200)
        #expect(try anonymous.send("GET", "/metrics").status == 200)
        #expect(try anonymous.send("GET", "/dashboard/state").status == 200)
        #expect(try anonymous.send("POST", "/metrics").status == 405)
        #expect(try anonymous.send("DELETE", "/v1/vms/a").status == 401)
        #expect(try anonymous.send("GET", "/v1/vms").status == 401)
        #expect(try fixture.agent.client.send("GET", "/v1/vms").status == 200)
        #expect(try fixture.dashboardState().vms.map(\.name) == ["a"])
    }
}

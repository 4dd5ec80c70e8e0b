// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import Testing

@testable import HostAgent

@Suite("AgentMetrics: the agent's Prometheus families")
struct AgentMetricsTests {
    static let server: RPCServer.Statistics = {
        var statistics = RPCServer.Statistics()
        statistics.connectionsAccepted = 5
        statistics.connectionsOpen = 2
        statistics.connectionsRefused = 4
        statistics.badPackets = [.oversizedLength: 1]
        statistics.refusedRequests = 3
        return statistics
    }()

    @Test func exposesVMStatusHeartbeatsHeldResetsLatencyAndServerCounters() throws {
        let fixture = ObservabilityFixture(server: Self.server)
        try fixture.engine.addVM(named: "web01", settings: ObservabilityFixture.settings, uptime: .seconds(30))
        try fixture.engine.enable(vmNamed: "web01")
        try fixture.engine.markActive(vmNamed: "web01")
        try fixture.engine.markActive(vmNamed: "web01")
        fixture.clock.advance(by: .seconds(10))  // red; the reset is held back: up 40 s of 60
        fixture.metrics.observe(
            RPCServer.RequestRecord(
                vmName: "web01", command: "GuestAppMonitor.Cmd.MarkActive", succeeded: true, wasRefused: false,
                duration: .microseconds(300)))

        #expect(
            fixture.metrics.exposition() == """
                # HELP guestsdk_vms VMs the agent serves.
                # TYPE guestsdk_vms gauge
                guestsdk_vms 1
                # HELP guestsdk_vm_app_heartbeat_status 1 for the VM's GuestInfo.appHeartbeatStatus, 0 for the \
                other statuses.
                # TYPE guestsdk_vm_app_heartbeat_status gauge
                guestsdk_vm_app_heartbeat_status{vm="web01",status="appStatusGray"} 0
                guestsdk_vm_app_heartbeat_status{vm="web01",status="appStatusGreen"} 0
                guestsdk_vm_app_heartbeat_status{vm="web01",status="appStatusRed"} 1
                # HELP guestsdk_vm_app_state 1 for the VM's GuestInfo.appState, 0 for the other states.
                # TYPE guestsdk_vm_app_state gauge
                guestsdk_vm_app_state{vm="web01",state="appStateNeedReset"} 0
                guestsdk_vm_app_state{vm="web01",state="appStateOk"} 0
                guestsdk_vm_app_state{vm="web01",state="none"} 1
                # HELP guestsdk_vm_app_monitoring_enabled 1 between Enable and Disable, else 0.
                # TYPE guestsdk_vm_app_monitoring_enabled gauge
                guestsdk_vm_app_monitoring_enabled{vm="web01"} 1
                # HELP guestsdk_vm_uptime_seconds Time since the guest powered on or was last reset.
                # TYPE guestsdk_vm_uptime_seconds gauge
                guestsdk_vm_uptime_seconds{vm="web01"} 40
                # HELP guestsdk_vm_seconds_since_last_heartbeat Time since the last heartbeat or Enable; absent \
                when there was none since the guest started.
                # TYPE guestsdk_vm_seconds_since_last_heartbeat gauge
                guestsdk_vm_seconds_since_last_heartbeat{vm="web01"} 10
                # HELP guestsdk_vm_heartbeats_received_total MarkActive calls honoured.
                # TYPE guestsdk_vm_heartbeats_received_total counter
                guestsdk_vm_heartbeats_received_total{vm="web01"} 2
                # HELP guestsdk_vm_resets_total Resets the HA engine ran.
                # TYPE guestsdk_vm_resets_total counter
                guestsdk_vm_resets_total{vm="web01"} 0
                # HELP guestsdk_vm_resets_held_back_total Resets wanted but held back, by reason.
                # TYPE guestsdk_vm_resets_held_back_total counter
                guestsdk_vm_resets_held_back_total{vm="web01",reason="appMonitoringOff"} 0
                guestsdk_vm_resets_held_back_total{vm="web01",reason="maxFailures"} 0
                guestsdk_vm_resets_held_back_total{vm="web01",reason="minUptime"} 1
                # HELP guestsdk_vm_rpc_request_duration_seconds Time the agent took to answer a guest RPC.
                # TYPE guestsdk_vm_rpc_request_duration_seconds histogram
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="5e-05"} 0
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.0001"} 0
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.00025"} 0
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.0005"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.001"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.0025"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.005"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.01"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.025"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.05"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.1"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="0.25"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="1"} 1
                guestsdk_vm_rpc_request_duration_seconds_bucket{vm="web01",le="+Inf"} 1
                guestsdk_vm_rpc_request_duration_seconds_sum{vm="web01"} 0.0003
                guestsdk_vm_rpc_request_duration_seconds_count{vm="web01"} 1
                # HELP guestsdk_ha_events_total Events the HA engine recorded.
                # TYPE guestsdk_ha_events_total counter
                guestsdk_ha_events_total 4
                # HELP guestsdk_rpc_connections_accepted_total Guest connections accepted, Unix and vsock.
                # TYPE guestsdk_rpc_connections_accepted_total counter
                guestsdk_rpc_connections_accepted_total 5
                # HELP guestsdk_rpc_connections_open Guest connections open now.
                # TYPE guestsdk_rpc_connections_open gauge
                guestsdk_rpc_connections_open 2
                # HELP guestsdk_rpc_connections_refused_total Guest connections closed at once because their VM \
                held its connection limit.
                # TYPE guestsdk_rpc_connections_refused_total counter
                guestsdk_rpc_connections_refused_total 4
                # HELP guestsdk_rpc_bad_packets_total Connections closed after a bad packet, by reason.
                # TYPE guestsdk_rpc_bad_packets_total counter
                guestsdk_rpc_bad_packets_total{reason="empty-payload"} 0
                guestsdk_rpc_bad_packets_total{reason="malformed-datamap"} 0
                guestsdk_rpc_bad_packets_total{reason="missing-payload"} 0
                guestsdk_rpc_bad_packets_total{reason="oversized-length"} 1
                guestsdk_rpc_bad_packets_total{reason="truncated"} 0
                # HELP guestsdk_rpc_requests_refused_total Requests the secure channel refused.
                # TYPE guestsdk_rpc_requests_refused_total counter
                guestsdk_rpc_requests_refused_total 3

                """)
    }

    @Test func resetsHeldBackCountEveryReasonSeparately() throws {
        let fixture = ObservabilityFixture()
        var settings = ObservabilityFixture.settings
        settings.vmMonitoring = .vmMonitoringOnly
        try fixture.engine.addVM(named: "a", settings: settings, uptime: .seconds(1000))
        try fixture.engine.postAppState(.appStateNeedReset, vmNamed: "a")
        let scrape = try PrometheusTextCheck(fixture.metrics.exposition())
        let family = "guestsdk_vm_resets_held_back_total"
        #expect(scrape.value(family, ["vm": "a", "reason": "appMonitoringOff"]) == 1)
        #expect(scrape.value(family, ["vm": "a", "reason": "minUptime"]) == 0)
    }

    @Test func resetDoneIsCountedAndStatusTurnsGray() throws {
        let fixture = ObservabilityFixture()
        try fixture.engine.addVM(named: "a", settings: ObservabilityFixture.settings, uptime: .seconds(1000))
        try fixture.engine.enable(vmNamed: "a")
        fixture.clock.advance(by: .seconds(11))  // red at 10 s, the reset runs 1 s later
        let scrape = try PrometheusTextCheck(fixture.metrics.exposition())
        #expect(scrape.value("guestsdk_vm_resets_total", ["vm": "a"]) == 1)
        #expect(scrape.value("guestsdk_vm_app_heartbeat_status", ["vm": "a", "status": "appStatusGray"]) == 1)
        #expect(scrape.value("guestsdk_vm_app_monitoring_enabled", ["vm": "a"]) == 0)
    }

    @Test func removedVMLeavesNoSeries() throws {
        let fixture = ObservabilityFixture()
        try fixture.engine.addVM(named: "kept", settings: ObservabilityFixture.settings)
        try fixture.engine.addVM(named: "gone", settings: ObservabilityFixture.settings)
        fixture.metrics.observe(
            RPCServer.RequestRecord(
                vmName: "gone", command: "x", succeeded: true, wasRefused: false, duration: .milliseconds(1)))
        _ = fixture.metrics.exposition()
        try fixture.engine.removeVM(named: "gone")
        let text = fixture.metrics.exposition()
        #expect(!text.contains("\"gone\""))
        #expect(text.contains("guestsdk_vm_uptime_seconds{vm=\"kept\"}"))
        #expect(try PrometheusTextCheck(text).value("guestsdk_vms") == 1)
    }

    @Test func vmNamesAreEscapedInLabels() throws {
        let fixture = ObservabilityFixture()
        try fixture.engine.addVM(named: "odd\"name\\x", settings: ObservabilityFixture.settings)
        let text = fixture.metrics.exposition()
        #expect(text.contains("guestsdk_vm_uptime_seconds{vm=\"odd\\\"name\\\\x\"} 0\n"))
        #expect(try PrometheusTextCheck(text).value("guestsdk_vm_uptime_seconds", ["vm": "odd\"name\\x"]) == 0)
    }
}

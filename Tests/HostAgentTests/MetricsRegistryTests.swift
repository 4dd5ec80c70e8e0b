// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Testing

@testable import HostAgent

@Suite struct MetricsRegistryTests {
    @Test func emptyRegistryWritesNothing() {
        #expect(MetricsRegistry().exposition() == "")
    }

    @Test func counterAndGaugeWriteHelpTypeAndSortedSeries() {
        let registry = MetricsRegistry()
        let heartbeats = registry.makeCounter(
            "guestsdk_vm_heartbeats_received_total", help: "Heartbeats received.", labelNames: ["vm"])
        let open = registry.makeGauge("guestsdk_connections_open", help: "Connections open now.")
        heartbeats.increment(["web02"], by: 2)
        heartbeats.increment(["web01"])
        heartbeats.increment(["web01"])
        open.set(3)
        open.add(-1)

        #expect(
            registry.exposition() == """
                # HELP guestsdk_vm_heartbeats_received_total Heartbeats received.
                # TYPE guestsdk_vm_heartbeats_received_total counter
                guestsdk_vm_heartbeats_received_total{vm="web01"} 2
                guestsdk_vm_heartbeats_received_total{vm="web02"} 2
                # HELP guestsdk_connections_open Connections open now.
                # TYPE guestsdk_connections_open gauge
                guestsdk_connections_open 2

                """)
    }

    @Test func familyWithoutSeriesWritesOnlyHelpAndType() {
        let registry = MetricsRegistry()
        _ = registry.makeCounter("guestsdk_bad_packets_total", help: "Bad packets.", labelNames: ["reason"])
        #expect(
            registry.exposition() == """
                # HELP guestsdk_bad_packets_total Bad packets.
                # TYPE guestsdk_bad_packets_total counter

                """)
    }

    @Test func histogramWritesCumulativeBucketsSumAndCount() {
        let registry = MetricsRegistry()
        let latency = registry.makeHistogram(
            "guestsdk_rpc_request_duration_seconds", help: "RPC latency.", labelNames: ["vm"],
            buckets: [0.001, 0.01, 0.1])
        latency.observe(0.0005, ["a"])
        latency.observe(0.001, ["a"])  // on a bound: counted in that bucket
        latency.observe(0.05, ["a"])
        latency.observe(2, ["a"])  // above every bound: only +Inf
        #expect(
            registry.exposition() == """
                # HELP guestsdk_rpc_request_duration_seconds RPC latency.
                # TYPE guestsdk_rpc_request_duration_seconds histogram
                guestsdk_rpc_request_duration_seconds_bucket{vm="a",le="0.001"} 2
                guestsdk_rpc_request_duration_seconds_bucket{vm="a",le="0.01"} 2
                guestsdk_rpc_request_duration_seconds_bucket{vm="a",le="0.1"} 3
                guestsdk_rpc_request_duration_seconds_bucket{vm="a",le="+Inf"} 4
                guestsdk_rpc_request_duration_seconds_sum{vm="a"} 2.0515
                guestsdk_rpc_request_duration_seconds_count{vm="a"} 4

                """)
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let registry = MetricsRegistry()
        let gauge = registry.makeGauge("g", help: "a \\ back\nslash", labelNames: ["vm"])
        gauge.set(1, ["q\"uote\\back\nline"])
        #expect(
            registry.exposition() == """
                # HELP g a \\\\ back\\nslash
                # TYPE g gauge
                g{vm="q\\"uote\\\\back\\nline"} 1

                """)
    }

    @Test func specialValuesUseThePrometheusSpelling() {
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(-3) == "-3")
        #expect(PrometheusText.format(0.25) == "0.25")
        #expect(PrometheusText.format(5e-05) == "5e-05")
        #expect(PrometheusText.format(1e20) == "1e+20")
    }

    @Test func collectorsRunBeforeEveryExposition() {
        let registry = MetricsRegistry()
        let uptime = registry.makeGauge("uptime_seconds", help: "Uptime.")
        let source = Counting()
        registry.addCollector { uptime.set(Double(source.next())) }
        _ = registry.exposition()
        #expect(registry.exposition().hasSuffix("uptime_seconds 2\n"))
    }

    @Test func retainSeriesDropsOtherValuesOfTheLabelOnly() {
        let registry = MetricsRegistry()
        let perVM = registry.makeCounter("per_vm_total", help: "Per VM.", labelNames: ["vm"])
        let global = registry.makeCounter("global_total", help: "Global.")
        perVM.increment(["kept"])
        perVM.increment(["gone"])
        global.increment()
        registry.retainSeries(withLabel: "vm", in: ["kept"])
        #expect(perVM.value(["kept"]) == 1)
        #expect(perVM.value(["gone"]) == nil)
        #expect(global.value() == 1)
    }

    @Test func namesFollowThePrometheusRules() {
        #expect(MetricsRegistry.isValidMetricName("guestsdk:vm_up_total"))
        #expect(!MetricsRegistry.isValidMetricName("1abc"))
        #expect(!MetricsRegistry.isValidMetricName("a-b"))
        #expect(!MetricsRegistry.isValidMetricName(""))
        #expect(MetricsRegistry.isValidLabelName("vm"))
        #expect(!MetricsRegistry.isValidLabelName("__name"))
        #expect(!MetricsRegistry.isValidLabelName("a:b"))
    }
}

/// A thread-safe counter for collector tests.
private final class Counting: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func next() -> Int {
        self.lock.withLock {
            self.value += 1
            return self.value
        }
    }
}

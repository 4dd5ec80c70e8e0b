// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// Runs guests against a `SoakHost` on worker threads and judges the outcome.
final class SoakRun {
    let configuration: SoakConfiguration

    init(configuration: SoakConfiguration) {
        self.configuration = configuration
    }

    func run() throws -> SoakReport {
        let configuration = self.configuration
        let host = try SoakHost(configuration: configuration)
        let timing = SoakGuest.Timing(
            failureInterval: Double(configuration.failureInterval), resetDelay: configuration.resetDelay,
            heartbeatInterval: configuration.heartbeatInterval)
        let guests = (0..<configuration.vmCount).map { index in
            SoakGuest(
                name: SoakHost.vmName(index), socketPath: host.socketPath(forVM: SoakHost.vmName(index)),
                seed: configuration.seed, index: index, timing: timing)
        }
        let agentCPUBefore = host.cpuSeconds()
        let start = soakNow()
        let endsAt = start + configuration.seconds
        let group = DispatchGroup()
        let lateness = DriverLateness()
        for worker in 0..<configuration.workers {
            let mine = stride(from: worker, to: guests.count, by: configuration.workers).map { guests[$0] }
            group.enter()
            let thread = Thread {
                Self.drive(mine, start: start, endsAt: endsAt, host: host, lateness: lateness)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }

        var report = SoakReport()
        while group.wait(timeout: .now() + configuration.scrapeInterval) == .timedOut {
            let began = soakNow()
            _ = try? host.scrape("/metrics")
            let scraped = soakNow()
            _ = try? host.scrape("/dashboard/state")
            report.scrapes += 1
            report.slowestScrapeMilliseconds = max(report.slowestScrapeMilliseconds, (scraped - began) * 1000)
            report.slowestFeedMilliseconds = max(report.slowestFeedMilliseconds, (soakNow() - scraped) * 1000)
        }

        let expectedTotal = guests.reduce(0) { $0 + $1.expected.values.reduce(0, +) }
        let settled = Date(timeIntervalSinceNow: 15)
        while (try? host.eventCount()) ?? 0 < expectedTotal && Date() < settled {
            usleep(100_000)  // waiting for the agent's last resets to be stored, polled over its API
        }
        report.wallSeconds = soakNow() - start
        report.agentCPUSeconds = host.cpuSeconds() - agentCPUBefore
        report.agentCPUShareOfOneCore = report.agentCPUSeconds / max(report.wallSeconds, 1e-9)
        report.peakRSSMegabytes = host.peakRSSMegabytes()
        report.failedEventCommits = (try? host.failedEventCommits()) ?? -1
        report.driverMaxLatenessMilliseconds = lateness.maximum * 1000
        report.driverStepsLateOverOneSecond = lateness.overOneSecond
        let metrics = try PrometheusTextCheck(try host.scrape("/metrics"))
        report.metricsLines = metrics.samples.count
        report.metricsVMs = Int(metrics.value("guestsdk_vms") ?? -1)

        let ledger = SoakLedger()
        for event in try host.stopAndReadEvents() {
            ledger.record(stored: event)
        }
        Self.judge(guests, ledger: ledger, into: &report)
        report.vms = configuration.vmCount
        report.seed = configuration.seed
        return report
    }

    /// Compares every VM's events with what its guest's script implies.
    private static func judge(_ guests: [SoakGuest], ledger: SoakLedger, into report: inout SoakReport) {
        report.events = ledger.eventCount
        report.lastEventID = ledger.lastSequenceNumber
        report.sequenceGaps = ledger.sequenceGaps
        let lateness = ledger.redLateness
        report.reds = lateness.count
        report.redLatenessP50Milliseconds = percentile(lateness, 0.5) * 1000
        report.redLatenessP99Milliseconds = percentile(lateness, 0.99) * 1000
        report.redLatenessMaxMilliseconds = (lateness.max() ?? 0) * 1000
        for guest in guests {
            report.requests += guest.requests
            report.heartbeats += guest.heartbeats
            report.faults.merge(guest.faults, uniquingKeysWith: +)
            let actual = ledger.counts(forVM: guest.name)
            if guest.isAmbiguous {
                report.ambiguousVMs += 1
                report.ambiguousVMResets += actual["reset-started", default: 0]
                continue
            }
            report.anomalies += guest.anomalies.count
            if report.anomalySamples.count < 10 {
                report.anomalySamples += guest.anomalies.prefix(2).map { "\(guest.name): \($0)" }
            }
            report.resetsExpected += guest.resetsExpected
            report.resetsDone += actual["reset-started", default: 0]
            let extraResets = actual["reset-started", default: 0] - guest.resetsExpected
            report.falseResets += max(0, extraResets)
            report.missedResets += max(0, -extraResets)
            report.falseReds += max(
                0, actual["heartbeat-missed", default: 0] - guest.expected["heartbeat-missed", default: 0])
            for kind in Set(actual.keys).union(guest.expected.keys) {
                let difference = actual[kind, default: 0] - guest.expected[kind, default: 0]
                if difference > 0 { report.eventsUnexpected += difference }
                if difference < 0 { report.eventsMissing -= difference }
                if difference != 0 && report.mismatchSamples.count < 10 {
                    report.mismatchSamples.append(
                        "\(guest.name) \(kind): expected \(guest.expected[kind, default: 0]), recorded \(actual[kind, default: 0])"
                    )
                }
            }
        }
    }

    /// Runs `guests` on the calling thread until every one has finished.
    private static func drive(
        _ guests: [SoakGuest], start: Double, endsAt: Double, host: any SoakHostFaults, lateness: DriverLateness
    ) {
        var queue = SoakSchedule()
        for (index, guest) in guests.enumerated() {
            queue.insert(index, at: guest.firstStep(after: start))
        }
        while let (due, index) = queue.peek() {
            let now = soakNow()
            if due > now {
                usleep(UInt32(min(due - now, 0.05) * 1e6))  // pacing the load generator, not a test wait
                continue
            }
            queue.removeFirst()
            lateness.record(now - due)
            if let next = guests[index].step(at: now, endsAt: endsAt, host: host) {
                queue.insert(index, at: next)
            }
        }
    }

    /// The peak resident set (`VmHWM`) in a `/proc/<pid>/status` file, in megabytes.
    static func peakRSSMegabytes(status path: String) -> Double {
        guard let status = try? String(contentsOfFile: path, encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ")[1])
        else { return 0 }
        return kilobytes / 1024
    }
}

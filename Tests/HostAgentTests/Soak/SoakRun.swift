// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// How a soak runs.
struct SoakConfiguration {
    var vmCount = 1000
    /// How long new episodes start; the run lasts a few seconds more while the last ones finish.
    var seconds = 45.0
    var seed: UInt64 = 0x5EED_0006
    var failureInterval = 5
    var resetDelay = 1.0
    var heartbeatInterval = 1.0
    var workers = 16
    var scrapeInterval = 15.0

    /// The configuration with `GUESTSDK_SOAK_SECONDS`, `GUESTSDK_SOAK_VMS` and `GUESTSDK_SOAK_SEED` applied.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        var configuration = SoakConfiguration()
        if let text = environment["GUESTSDK_SOAK_SECONDS"], let seconds = Double(text) {
            configuration.seconds = seconds
        }
        if let text = environment["GUESTSDK_SOAK_VMS"], let count = Int(text) { configuration.vmCount = count }
        if let text = environment["GUESTSDK_SOAK_SEED"], let seed = UInt64(text) { configuration.seed = seed }
        return configuration
    }
}

/// What a soak measured and found, written as JSON beside the test output.
struct SoakReport: Codable {
    var vms = 0
    var seed: UInt64 = 0
    var wallSeconds = 0.0
    var requests = 0
    var heartbeats = 0
    var faults: [String: Int] = [:]
    var events = 0
    var lastEventID: UInt64 = 0
    var failedEventCommits = 0
    var sequenceGaps = 0
    var eventsMissing = 0
    var eventsUnexpected = 0
    var resetsExpected = 0
    var resetsDone = 0
    var falseResets = 0
    var missedResets = 0
    var falseReds = 0
    var reds = 0
    var redLatenessP50Milliseconds = 0.0
    var redLatenessP99Milliseconds = 0.0
    var redLatenessMaxMilliseconds = 0.0
    var anomalies = 0
    var anomalySamples: [String] = []
    var mismatchSamples: [String] = []
    var ambiguousVMs = 0
    var ambiguousVMResets = 0
    var driverMaxLatenessMilliseconds = 0.0
    var driverStepsLateOverOneSecond = 0
    var agentCPUSeconds = 0.0
    var agentCPUShareOfOneCore = 0.0
    var peakRSSMegabytes = 0.0
    var scrapes = 0
    var slowestScrapeMilliseconds = 0.0
    var slowestFeedMilliseconds = 0.0
    var metricsLines = 0
    var metricsVMs = 0
}

/// The host side of a soak: the real `guestsdk-host` in a child process, with its SQLite store,
/// its fault injection over the control API, its metrics and its dashboard.
final class SoakHost: SoakHostFaults, @unchecked Sendable {
    let directory: String
    let agent: AgentProcess
    let client: ControlClient

    init(configuration: SoakConfiguration) throws {
        guard let binary = BuiltProduct.path(of: "guestsdk-host") else {
            throw TestClientError(description: "guestsdk-host is not built: run swift build first")
        }
        self.directory = try DaemonFixture.makeTemporaryDirectory()
        let ha = """
            {"vmMonitoring": "vmAndAppMonitoring", "failureInterval": \(configuration.failureInterval), \
            "minUpTime": 0, "maxFailures": 1000000, "maxFailureWindow": -1}
            """
        let vms = (0..<configuration.vmCount).map { #"{"name": "\#(Self.vmName($0))", "ha": \#(ha)}"# }
        let config = """
            {"stateDirectory": "\(self.directory)", "resetDelaySeconds": \(configuration.resetDelay),
             "vms": [\(vms.joined(separator: ",\n"))]}
            """
        let path = self.directory + "/config.json"
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        self.agent = try AgentProcess(binary: binary, directory: self.directory, config: path)
        self.client = self.agent.client
    }

    deinit {
        if self.agent.process.isRunning { self.agent.stop() }
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    static func vmName(_ index: Int) -> String {
        "soak-\(String(index + 10000).dropFirst())"
    }

    func socketPath(forVM name: String) -> String {
        self.directory + "/vms/\(name).sock"
    }

    func inject(_ fault: String, into vm: String) throws {
        let reply = try self.client.send("POST", "/v1/vms/\(vm)/faults", body: Data(fault.utf8))
        guard reply.status == 200 else {
            throw TestClientError(description: "fault \(fault) into \(vm): \(reply.status) \(reply.text)")
        }
    }

    /// GETs `path` without the token, as a scraper or the dashboard page does; returns the body.
    func scrape(_ path: String) throws -> String {
        let reply = try ControlClient(port: self.client.port, token: nil).send("GET", path)
        guard reply.status == 200 else { throw TestClientError(description: "GET \(path): \(reply.status)") }
        return reply.text
    }

    /// The agent's CPU time (user + system) so far, from `/proc/<pid>/stat`.
    func cpuSeconds() -> Double {
        guard
            let stat = try? String(
                contentsOfFile: "/proc/\(self.agent.process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The agent's peak resident set (`VmHWM`), in megabytes.
    func peakRSSMegabytes() -> Double {
        SoakRun.peakRSSMegabytes(status: "/proc/\(self.agent.process.processIdentifier)/status")
    }

    /// The number of events the agent has stored.
    func eventCount() throws -> Int {
        let reply = try self.client.send("GET", "/v1/agent")
        let agent = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
        return agent?["eventCount"] as? Int ?? 0
    }

    /// Failed event commits the agent reports.
    func failedEventCommits() throws -> Int {
        let reply = try self.client.send("GET", "/v1/agent")
        let agent = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
        return agent?["failedEventCommits"] as? Int ?? -1
    }

    /// Stops the agent gracefully and reads every event from its SQLite store.
    func stopAndReadEvents() throws -> [StoredEvent] {
        self.agent.stop()
        let store = try StateStore(directory: self.directory)
        var events: [StoredEvent] = []
        while true {
            let page = try store.events(after: events.last?.id ?? 0, limit: StateStore.maximumPageSize)
            guard !page.isEmpty else { return events }
            events += page
        }
    }
}

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

/// How late the guest drivers ran their steps: a measure of how starved the machine was.
final class DriverLateness: @unchecked Sendable {
    private let lock = NSLock()
    private var worst = 0.0
    private var late = 0

    func record(_ seconds: Double) {
        self.lock.withLock {
            self.worst = max(self.worst, seconds)
            if seconds > 1 { self.late += 1 }
        }
    }

    var maximum: Double { self.lock.withLock { self.worst } }
    var overOneSecond: Int { self.lock.withLock { self.late } }
}

/// A binary min-heap of guest indexes by due time.
struct SoakSchedule {
    private var heap: [(due: Double, index: Int)] = []

    func peek() -> (Double, Int)? {
        self.heap.first.map { ($0.due, $0.index) }
    }

    mutating func insert(_ index: Int, at due: Double) {
        self.heap.append((due, index))
        var child = self.heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.heap[child].due < self.heap[parent].due else { break }
            self.heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeFirst() {
        self.heap.swapAt(0, self.heap.count - 1)
        self.heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < self.heap.count && self.heap[left].due < self.heap[smallest].due { smallest = left }
            if right < self.heap.count && self.heap[right].due < self.heap[smallest].due { smallest = right }
            guard smallest != parent else { return }
            self.heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// How a soak runs.
struct SoakConfiguration {
    var vmCount = 1000
    /// How long new episodes start; the run lasts a few seconds more while the last ones finish.
    var seconds = 50.0
    var seed: UInt64 = 0x5EED_0006
    var failureInterval = 4
    var resetDelay = 0.5
    var heartbeatInterval = 1.0
    var workers = 4
    var scrapeInterval = 5.0

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
    var engineEvents: UInt64 = 0
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
    var processCPUSeconds = 0.0
    var guestCPUSeconds = 0.0
    var agentCPUShareOfOneCore = 0.0
    var peakRSSMegabytes = 0.0
    var scrapes = 0
    var slowestScrapeMilliseconds = 0.0
    var slowestFeedMilliseconds = 0.0
    var metricsLines = 0
}

/// The host side of a soak: HA engine on the real clock, RPC server, metrics and dashboard feed.
final class SoakHost: SoakHostFaults, @unchecked Sendable {
    let ledger = SoakLedger()
    let engine: HAEngine
    let server: RPCServer
    let metrics: AgentMetrics
    let feed: DashboardFeed
    let stateDirectory: String

    init(configuration: SoakConfiguration) throws {
        let clock = SystemClock()
        let sink = LateBoundSink()
        self.engine = HAEngine(
            clock: clock, sink: sink,
            configuration: HAEngine.Configuration(resetDelay: .milliseconds(Int64(configuration.resetDelay * 1000))))
        let engine = self.engine
        let serverBox = LateBound<RPCServer>()
        let metrics = AgentMetrics(states: { engine.states() }, serverStatistics: { serverBox.value?.statistics })
        self.metrics = metrics
        self.feed = DashboardFeed(engine: self.engine, clock: clock)
        sink.sinks = [self.ledger, metrics, self.feed]
        var template = Array("/tmp/guestsdk-soak-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestClientError.call("mkdtemp")
        }
        self.stateDirectory = String(cString: made)
        self.server = RPCServer(
            configuration: RPCServer.Configuration(
                stateDirectory: self.stateDirectory, requestObserver: { metrics.observe($0) }),
            logger: .disabled)
        serverBox.value = self.server
        let router = Router()
        router.register(prefix: AppMonitorService.commandPrefix, to: AppMonitorService(engine: self.engine))
        let settings = HASettings(
            vmMonitoring: .vmAndAppMonitoring, failureInterval: configuration.failureInterval, minUpTime: 0,
            maxFailures: 1_000_000, maxFailureWindow: -1)
        for index in 0..<configuration.vmCount {
            let name = Self.vmName(index)
            try self.engine.addVM(named: name, settings: settings, uptime: .seconds(3600))
            try self.server.addVM(VMEndpointConfiguration(name: name), router: router)
        }
        self.feed.start()
    }

    deinit {
        self.feed.stop()
        self.server.stop()
        try? FileManager.default.removeItem(atPath: self.stateDirectory)
    }

    static func vmName(_ index: Int) -> String {
        "soak-\(String(index + 10000).dropFirst())"
    }

    func vMotion(_ vm: String) throws {
        try self.engine.vMotion(vmNamed: vm)
    }

    func dropConnections(_ vm: String) throws -> Bool {
        false
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
                name: SoakHost.vmName(index), socketPath: host.server.socketPath(forVM: SoakHost.vmName(index)),
                seed: configuration.seed, index: index, timing: timing)
        }
        let cpuBefore = Self.processCPUSeconds()
        let start = soakNow()
        let endsAt = start + configuration.seconds
        let group = DispatchGroup()
        let guestCPU = GuestCPU()
        for worker in 0..<configuration.workers {
            let mine = stride(from: worker, to: guests.count, by: configuration.workers).map { guests[$0] }
            group.enter()
            let thread = Thread {
                Self.drive(mine, start: start, endsAt: endsAt, host: host)
                guestCPU.add(Self.threadCPUSeconds())
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }

        var report = SoakReport()
        while group.wait(timeout: .now() + configuration.scrapeInterval) == .timedOut {
            let began = soakNow()
            _ = host.metrics.exposition()
            let scraped = soakNow()
            _ = host.feed.json()
            report.scrapes += 1
            report.slowestScrapeMilliseconds = max(report.slowestScrapeMilliseconds, (scraped - began) * 1000)
            report.slowestFeedMilliseconds = max(report.slowestFeedMilliseconds, (soakNow() - scraped) * 1000)
        }

        let expectedTotal = guests.reduce(0) { $0 + $1.expected.values.reduce(0, +) }
        _ = host.ledger.waitForEvents(atLeast: expectedTotal, timeout: 15)
        report.wallSeconds = soakNow() - start
        report.processCPUSeconds = Self.processCPUSeconds() - cpuBefore
        report.guestCPUSeconds = guestCPU.total
        report.agentCPUShareOfOneCore =
            max(0, report.processCPUSeconds - report.guestCPUSeconds) / max(report.wallSeconds, 1e-9)
        report.peakRSSMegabytes = Self.peakRSSMegabytes()
        let exposition = host.metrics.exposition()
        report.metricsLines = exposition.split(separator: "\n").count
        Self.judge(guests, host: host, into: &report)
        report.vms = configuration.vmCount
        report.seed = configuration.seed
        return report
    }

    /// Compares every VM's events with what its guest's script implies.
    private static func judge(_ guests: [SoakGuest], host: SoakHost, into report: inout SoakReport) {
        let ledger = host.ledger
        report.events = ledger.eventCount
        report.engineEvents = host.engine.eventCount
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
            report.anomalies += guest.anomalies.count
            if report.anomalySamples.count < 10 {
                report.anomalySamples += guest.anomalies.prefix(2).map { "\(guest.name): \($0)" }
            }
            let actual = ledger.counts(forVM: guest.name)
            report.resetsExpected += guest.resetsExpected
            report.resetsDone += actual["reset-started", default: 0]
            if guest.isAmbiguous {
                report.ambiguousVMs += 1
                continue
            }
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
    private static func drive(_ guests: [SoakGuest], start: Double, endsAt: Double, host: SoakHost) {
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
            if let next = guests[index].step(at: now, endsAt: endsAt, host: host) {
                queue.insert(index, at: next)
            }
        }
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// The process's peak resident set (`VmHWM`), in megabytes.
    static func peakRSSMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ")[1])
        else { return 0 }
        return kilobytes / 1024
    }
}

/// A reference set once after creation, for closures made before their target exists.
final class LateBound<Value: AnyObject>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    var value: Value? {
        get { self.lock.withLock { self.stored } }
        set { self.lock.withLock { self.stored = newValue } }
    }
}

/// The CPU time of the guest worker threads, added up as they finish.
private final class GuestCPU: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds = 0.0

    func add(_ value: Double) {
        self.lock.withLock { self.seconds += value }
    }

    var total: Double {
        self.lock.withLock { self.seconds }
    }
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

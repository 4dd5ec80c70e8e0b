// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import GuestRPC
import HostAgent
import TestSupport
import Testing

/// `kill -9` of the real `guestsdk-host` at random moments while 200 VMs heartbeat and some stop.
///
/// After each restart every event the control API reported before the kill is still in SQLite
/// with the same id and content, no acknowledged id is missing, and no VM that kept heartbeating
/// was ever declared red or reset; at the end every VM that stopped heartbeating was reset.
@Suite("guestsdk-host survives kill -9", .serialized)
struct DaemonKillTests {
    static let vmCount = 200
    static let failureInterval = 4
    static let kills = 4

    @Test(.timeLimit(.minutes(2)))
    func killNineLosesNoAcknowledgedEventAndResetsNoHeartbeatingVM() throws {
        let binary = try #require(BuiltProduct.path(of: "guestsdk-host"), "guestsdk-host is not built")
        let directory = try DaemonFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configPath = directory + "/config.json"
        try Self.configuration().write(to: URL(fileURLWithPath: configPath))
        var random = SplitMix64(seed: 0x6765_7374_7364_6b39)
        let names = (1...Self.vmCount).map { String(format: "vm%03d", $0) }
        let stopping = Set(names.enumerated().filter { $0.offset % 10 == 3 }.map(\.element))

        var agent = try AgentProcess(binary: binary, directory: directory, config: configPath)
        let heartbeats = Heartbeaters(directory: directory, names: names)
        try heartbeats.enableAll()
        heartbeats.start()
        defer { heartbeats.finish() }
        var acknowledged: [StoredEvent] = []

        for round in 0..<Self.kills {
            for name in stopping.sorted() where round == 1 || (round == 2 && name.hasSuffix("3")) {
                heartbeats.stop(name)
            }
            Self.pause(seconds: Double.random(in: 1.0...3.0, using: &random))
            acknowledged = try agent.events()
            agent.killNine()

            agent = try AgentProcess(binary: binary, directory: directory, config: configPath)
            let stored = try Self.storedEvents(directory)
            #expect(
                stored.prefix(acknowledged.count).map(EventIdentity.init) == acknowledged.map(EventIdentity.init),
                "round \(round): an acknowledged event is missing or changed")
            #expect(stored.count >= acknowledged.count)
        }
        let deadline = ContinuousClock.now + .seconds(Self.failureInterval + 8)
        var resetVMs = Set<String>()
        while ContinuousClock.now < deadline && !stopping.isSubset(of: resetVMs) {
            resetVMs = Set(try agent.events().filter { $0.kind == "reset-started" }.map(\.vmName))
            if !stopping.isSubset(of: resetVMs) { Self.pause(seconds: 0.2) }
        }
        let events = try agent.events()
        agent.stop()

        let red = Set(events.filter { $0.kind == "heartbeat-missed" || $0.kind == "reset-started" }.map(\.vmName))
        #expect(red.isSubset(of: stopping), "heartbeating VMs went red: \(red.subtracting(stopping).sorted())")
        #expect(stopping.isSubset(of: resetVMs), "not reset: \(stopping.subtracting(resetVMs).sorted())")
        #expect(heartbeats.notEnabledReplies == 0, "a heartbeating VM lost its enablement")
        #expect(heartbeats.successes > Self.vmCount * 5)
        #expect(acknowledged.count > Self.vmCount * 2, "vm-added and enabled of every VM, at least")
    }

    /// 200 VMs on a fast policy: red after 4 s, no minimum uptime, reset 0.2 s later.
    static func configuration() throws -> Data {
        let vms = (1...Self.vmCount).map { index -> [String: Any] in
            [
                "name": String(format: "vm%03d", index),
                "ha": [
                    "vmMonitoring": "vmAndAppMonitoring", "failureInterval": Self.failureInterval, "minUpTime": 0,
                    "maxFailures": 100, "maxFailureWindow": -1,
                ],
            ]
        }
        return try JSONSerialization.data(withJSONObject: ["resetDelaySeconds": 0.2, "vms": vms])
    }

    /// Every event in the state database, read directly, oldest first.
    static func storedEvents(_ directory: String) throws -> [StoredEvent] {
        let store = try StateStore(directory: directory)
        var events: [StoredEvent] = []
        while true {
            let page = try store.events(after: events.last?.id ?? 0, limit: StateStore.maximumPageSize)
            guard !page.isEmpty else { return events }
            events += page
        }
    }

    /// Lets the heartbeaters and the agent run for a while (the test's scenario pacing).
    static func pause(seconds: Double) {
        usleep(UInt32(seconds * 1_000_000))
    }
}

/// What identifies an event; the API's dates have whole seconds, the database's more.
struct EventIdentity: Equatable {
    var id: Int64
    var vmName: String
    var kind: String
    var fields: [String: String]
    var appStatus: String
    var appState: String
    var run: Int64
    var second: Int64

    init(_ event: StoredEvent) {
        self.id = event.id
        self.vmName = event.vmName
        self.kind = event.kind
        self.fields = event.fields
        self.appStatus = event.appStatus
        self.appState = event.appState
        self.run = event.run
        self.second = Int64(event.date.timeIntervalSince1970.rounded(.down))
    }
}

/// One `guestsdk-host` child process.
struct AgentProcess {
    let process: Process
    let client: ControlClient

    /// Starts the agent and waits until its control API answers with its own pid.
    init(binary: String, directory: String, config: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config", config, "--state-dir", directory, "--log-level", "warning"]
        let log =
            FileHandle(forWritingAtPath: directory + "/agent.log")
            ?? {
                _ = FileManager.default.createFile(atPath: directory + "/agent.log", contents: nil)
                return FileHandle(forWritingAtPath: directory + "/agent.log")!
            }()
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let client = try? ControlClient(stateDirectory: directory),
                let reply = try? client.send("GET", "/v1/agent"),
                let agent = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any],
                agent["pid"] as? Int == Int(process.processIdentifier)
            {
                self.client = client
                return
            }
            guard process.isRunning else { throw ControlClientError(reason: "guestsdk-host exited while starting") }
            usleep(20_000)
        }
        process.terminate()
        throw ControlClientError(reason: "guestsdk-host did not answer within 20 s")
    }

    /// Every event the control API reports, paging through them.
    func events() throws -> [StoredEvent] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        struct Page: Decodable {
            var events: [StoredEvent]
            var next: Int64
        }
        var events: [StoredEvent] = []
        while true {
            let reply = try self.client.send("GET", "/v1/events?after=\(events.last?.id ?? 0)&limit=1000")
            let page = try decoder.decode(Page.self, from: reply.body)
            guard !page.events.isEmpty else { return events }
            events += page.events
        }
    }

    /// `kill -9`, then waits for the process to be gone.
    func killNine() {
        kill(self.process.processIdentifier, SIGKILL)
        self.process.waitUntilExit()
    }

    /// SIGTERM, then waits for the graceful stop.
    func stop() {
        self.process.terminate()
        self.process.waitUntilExit()
    }
}

/// Heartbeats for many VMs from two threads over kept Unix-socket channels, reconnecting after
/// the agent is killed.
final class Heartbeaters: @unchecked Sendable {
    private let lock = NSLock()
    private let channels: [String: StreamChannel]
    private let names: [String]
    private var stopped = Set<String>()
    private var isFinished = false
    private var threads: [Thread] = []
    private(set) var successes = 0
    private(set) var notEnabledReplies = 0

    init(directory: String, names: [String]) {
        self.names = names
        self.channels = Dictionary(
            uniqueKeysWithValues: names.map {
                (
                    $0,
                    StreamChannel.unix(
                        path: directory + "/vms/\($0).sock", oneShot: false, logger: .disabled,
                        ioTimeoutSeconds: 1)
                )
            })
    }

    /// Sends `Enable` for every VM once.
    func enableAll() throws {
        for name in self.names {
            let reply = try self.channels[name]!.send(Array("GuestAppMonitor.Cmd.Enable".utf8))
            #expect(reply.succeeded && reply.payload == Array("0".utf8), "enable \(name)")
        }
    }

    /// Starts two threads that send `MarkActive` for every running VM every 0.4 s.
    func start() {
        let half = self.names.count / 2
        for slice in [Array(self.names[..<half]), Array(self.names[half...])] {
            let thread = Thread { [self] in self.beat(slice) }
            self.threads.append(thread)
            thread.start()
        }
    }

    /// Stops heartbeating for `name` (without `Disable`).
    func stop(_ name: String) {
        self.lock.withLock { _ = self.stopped.insert(name) }
    }

    /// Ends the threads.
    func finish() {
        self.lock.withLock { self.isFinished = true }
        while self.threads.contains(where: { !$0.isFinished }) { usleep(10_000) }
        self.channels.values.forEach { $0.close() }
    }

    private func beat(_ slice: [String]) {
        let request = Array("GuestAppMonitor.Cmd.MarkActive".utf8)
        while !self.lock.withLock({ self.isFinished }) {
            let start = ContinuousClock.now
            for name in slice where !self.lock.withLock({ self.stopped.contains(name) }) {
                guard let reply = try? self.channels[name]!.send(request) else {
                    self.channels[name]!.close()
                    continue
                }
                self.lock.withLock {
                    if reply.succeeded && reply.payload == Array("0".utf8) {
                        self.successes += 1
                    } else {
                        self.notEnabledReplies += 1
                    }
                }
            }
            let spent = ContinuousClock.now - start
            if spent < .milliseconds(400) {
                usleep(UInt32((Duration.milliseconds(400) - spent).totalNanoseconds / 1000))
            }
        }
    }
}

/// A seedable generator (SplitMix64), so the kill moments repeat from run to run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var value = self.state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

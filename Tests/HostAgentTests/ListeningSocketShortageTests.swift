// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import GuestRPC
import TestSupport
import Testing

/// A listener out of file descriptors: one log line when the shortage starts, one when it ends.
///
/// The shortage is provoked in a `guestsdk-host` child process whose descriptor limit is lowered
/// with `prlimit`: lowering it in the test process would starve every test running in parallel.
@Suite("ListeningSocket: out of file descriptors")
struct ListeningSocketShortageTests {
    static let shortageStarts = "out of file descriptors: new connections wait in the backlog until some close"
    static let shortageEnds = "file descriptors available again: accepting"
    /// Descriptors left to the agent above those it holds when counted: the agent opens a few now
    /// and then (its database journal), and the first client must still find one.
    static let spareDescriptors = 4

    @Test func aShortageIsLoggedOnceWhenItStartsAndOnceWhenItEnds() throws {
        let agent = try ShortageAgent()
        defer { agent.stop() }
        let used = try #require(agent.openDescriptorCount())
        try agent.limitDescriptors(to: used + Self.spareDescriptors)

        // The first connections take the last descriptors; the others wait in the backlog.
        var clients = try (0..<Self.spareDescriptors + 6).map { _ in try TestClient(path: agent.socketPath) }
        #expect(agent.waitForLog { $0.contains(Self.shortageStarts) })
        // Several 100 ms pauses go by, each ending in another accept4 that fails with EMFILE.
        #expect(!agent.waitForLog(seconds: 0.45) { Self.count(Self.shortageStarts, in: $0) > 1 })
        #expect(!agent.log.contains(Self.shortageEnds))

        try agent.limitDescriptors(to: used + 64)
        #expect(agent.waitForLog { $0.contains(Self.shortageEnds) })
        #expect(try TestClient(path: agent.socketPath).request("none") == .failure(RPCReply.unknownCommandText))
        clients.removeAll()

        #expect(Self.count(Self.shortageStarts, in: agent.log) == 1)
        #expect(Self.count(Self.shortageEnds, in: agent.log) == 1)
        let start = agent.log.split(separator: "\n").first { $0.contains(Self.shortageStarts) } ?? ""
        #expect(start.contains("systemCall=accept4 errno=24"))
    }

    /// The shortage used to end at the first connection accepted: each descriptor freed under a
    /// lasting shortage let one connection in and logged the end and a new start, up to two lines
    /// per 100 ms pause while guests came and went.
    @Test func aDescriptorFreedDuringAShortageDoesNotEndIt() throws {
        let agent = try ShortageAgent()
        defer { agent.stop() }
        let used = try #require(agent.openDescriptorCount())
        try agent.limitDescriptors(to: used + Self.spareDescriptors)
        var clients = try (0..<Self.spareDescriptors + 6).map { _ in try TestClient(path: agent.socketPath) }
        #expect(agent.waitForLog { $0.contains(Self.shortageStarts) })

        // The first connection, accepted before the shortage, goes away: its descriptor lets the
        // next one in, and the one after that meets EMFILE again.
        #expect(try clients[0].request("none") == .failure(RPCReply.unknownCommandText))
        clients.removeFirst()

        #expect(!agent.waitForLog(seconds: 0.45) { Self.count(Self.shortageStarts, in: $0) > 1 })
        #expect(!agent.log.contains(Self.shortageEnds))
        try agent.limitDescriptors(to: used + 64)
        #expect(agent.waitForLog { $0.contains(Self.shortageEnds) })
        #expect(Self.count(Self.shortageStarts, in: agent.log) == 1)
        #expect(Self.count(Self.shortageEnds, in: agent.log) == 1)
    }

    /// Found by a tester: a loop whose first connection waiting for its request came with no
    /// descriptor free never made its arrival watcher (an epoll instance), even after descriptors
    /// came back. vm2's loop has served nothing when the test starts.
    @Test func aLoopMakesItsArrivalWatcherOnceDescriptorsAreBack() throws {
        let agent = try ShortageAgent(vmCount: 2)
        defer { agent.stop() }
        let vm2 = agent.directory + "/vms/vm2.sock"
        let inUse = agent.settledDescriptors()
        let epolls = agent.epollCount()
        let lastFree = (0...).first { !inUse.contains($0) }!
        try agent.limitDescriptors(to: lastFree + 1)

        // Accepted into the last free descriptor: no room for the loop's epoll instance.
        let first = try TestClient(path: vm2)
        #expect(agent.waitUntil { agent.openDescriptors().contains(lastFree) })
        #expect(agent.epollCount() == epolls)
        try agent.limitDescriptors(to: lastFree + 64)
        let second = try TestClient(path: vm2)

        #expect(agent.waitUntil { agent.epollCount() == epolls + 1 })
        #expect(try first.request("none") == .failure(RPCReply.unknownCommandText))
        #expect(try second.request("none") == .failure(RPCReply.unknownCommandText))
    }

    /// How many lines of `log` contain `text`.
    static func count(_ text: String, in log: String) -> Int {
        log.split(separator: "\n").filter { $0.contains(text) }.count
    }
}

/// A `guestsdk-host` serving one VM at info level, its log in its state directory.
final class ShortageAgent {
    let directory: String
    let process = Process()
    var socketPath: String { self.directory + "/vms/vm1.sock" }

    /// Starts the agent with `vmCount` VMs and waits until it serves vm1 (the others untouched).
    init(vmCount: Int = 1) throws {
        self.directory = try DaemonFixture.makeTemporaryDirectory()
        let binary = try #require(BuiltProduct.path(of: "guestsdk-host"))
        self.process.executableURL = URL(fileURLWithPath: binary)
        self.process.arguments = [
            "--state-dir", self.directory, "--vms", "\(vmCount)", "--log-level", "info",
        ]
        _ = FileManager.default.createFile(atPath: self.directory + "/agent.log", contents: nil)
        let log = try #require(FileHandle(forWritingAtPath: self.directory + "/agent.log"))
        self.process.standardOutput = log
        self.process.standardError = log
        try self.process.run()
        for _ in 0..<1000 {
            if let client = try? TestClient(path: self.socketPath), (try? client.request("no-such-command")) != nil {
                return
            }
            guard self.process.isRunning else { throw TestClientError(description: "guestsdk-host exited") }
            usleep(20_000)
        }
        throw TestClientError(description: "guestsdk-host did not serve vm1 within 20 s")
    }

    deinit {
        self.stop()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    func stop() {
        guard self.process.isRunning else { return }
        self.process.terminate()
        self.process.waitUntilExit()
    }

    var log: String {
        (try? String(contentsOfFile: self.directory + "/agent.log", encoding: .utf8)) ?? ""
    }

    /// Polls the log (every 10 ms, for at most `seconds`) until `condition` holds on it.
    func waitForLog(seconds: Double = 5, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if condition(self.log) { return true }
            usleep(10_000)
        }
        return condition(self.log)
    }

    /// How many descriptors the agent holds open now.
    func openDescriptorCount() -> Int? {
        self.openDescriptors().count
    }

    /// The agent's open descriptor numbers.
    func openDescriptors() -> Set<Int> {
        let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(self.process.processIdentifier)/fd")
        return Set((names ?? []).compactMap { Int($0) })
    }

    /// The agent's open descriptor numbers once they stayed the same for 300 ms (at most 5 s): the
    /// connection of the readiness check closes a little after the check.
    func settledDescriptors() -> Set<Int> {
        var last = self.openDescriptors()
        var unchanged = 0
        for _ in 0..<100 where unchanged < 6 {
            usleep(50_000)
            let now = self.openDescriptors()
            unchanged = now == last ? unchanged + 1 : 0
            last = now
        }
        return last
    }

    /// How many epoll instances the agent holds open now.
    func epollCount() -> Int {
        let directory = "/proc/\(self.process.processIdentifier)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.count { name in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + name))
                == "anon_inode:[eventpoll]"
        }
    }

    /// Polls (every 10 ms, for at most 5 s) until `condition` holds.
    func waitUntil(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 where !condition() { usleep(10_000) }
        return condition()
    }

    /// Sets the agent's soft descriptor limit (`prlimit --nofile=SOFT:`), leaving its hard limit.
    func limitDescriptors(to soft: Int) throws {
        let run = try BuiltProduct.runSystem(
            "/usr/bin/prlimit", ["--pid", "\(self.process.processIdentifier)", "--nofile=\(soft):"])
        guard run == 0 else { throw TestClientError(description: "prlimit failed with status \(run)") }
    }
}

extension BuiltProduct {
    /// Runs a system program and returns its exit status.
    static func runSystem(_ path: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

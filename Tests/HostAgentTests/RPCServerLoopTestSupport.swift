// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import GuestRPC
import Testing

@testable import HostAgent

extension ServerFixture {
    /// Waits until the server has accepted `accepted` connections in all and holds none open.
    func waitUntilClosed(accepted: Int) -> Bool {
        self.waitUntil {
            let statistics = self.server.statistics
            return statistics.connectionsAccepted == accepted && statistics.connectionsOpen == 0
        }
    }
}

/// Polls `condition` every 10 ms for at most `seconds`; true once it holds.
func poll(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// Answers every request with a closure.
final class ClosureService: RPCService, @unchecked Sendable {
    private let answer: (RPCRequest) -> RPCReply

    init(_ answer: @escaping (RPCRequest) -> RPCReply) {
        self.answer = answer
    }

    func handle(_ request: RPCRequest) -> RPCReply {
        self.answer(request)
    }
}

/// One connection served on a loop of its own, outside any listener, held by the test only weakly.
final class DirectlyServedConnection {
    let loop = EventLoop(name: "test-direct")
    let server: RPCServer
    var client: TestClient
    private let clientDescriptor: Int32
    weak var connection: RPCConnection?

    init(faults plan: FaultPlan) throws {
        self.server = RPCServer(
            configuration: RPCServer.Configuration(stateDirectory: "/nonexistent", loopCount: 1), logger: .disabled)
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw TestClientError.call("socketpair")
        }
        _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
        self.clientDescriptor = pair[1]
        self.client = TestClient(descriptor: pair[1])
        let faults = FaultPlanBox()
        faults.plan = plan
        let context = VMContext(
            name: "vm1", router: EchoService.router(), enforcesSecureChannel: false, faults: faults,
            requests: RequestTally())
        let (loop, server) = (self.loop, self.server)
        weak var made: RPCConnection?
        loop.executeAndWait {
            let connection = RPCConnection(
                descriptor: pair[0], vm: context, peer: .unix(descriptor: pair[0]),
                maximumPacketLength: PacketFramer.defaultMaximumLength, loop: loop, logger: .disabled,
                server: server)
            connection.start()
            made = connection
        }
        self.connection = made
    }

    deinit {
        self.loop.stop()
    }

    /// Closes the client's end, and waits until the server has seen it and finished the loop turn.
    func closeClientAndWaitForTheServer() {
        shutdown(self.clientDescriptor, Int32(SHUT_WR))
        _ = try? self.client.readsEndOfStream()
        // The close callbacks, which release a handle's owner, run at the end of the loop's turn.
        self.loop.executeAndWait {}
        self.loop.executeAndWait {}
    }
}

/// Counts the server side's Unix sockets: the listeners and accepted connections of a state
/// directory that this process holds open, found through `/proc/net/unix` (an accepted socket
/// carries its listener's path there), so other tests' descriptors are not counted.
enum ServerSockets {
    /// Polls (every 10 ms, for at most 10 s) until exactly `count` server sockets are open: the
    /// server forgets a connection just before it closes its descriptor. The bound is generous because
    /// each look reads `/proc/net/unix` and `/proc/self/fd`, which other suites running beside this one
    /// fill with thousands of sockets; it had run out at 2 s on a loaded machine.
    static func wait(untilOpen count: Int, under directory: String) -> Bool {
        poll(seconds: 10) { self.open(under: directory) == count }
    }

    static func open(under directory: String) -> Int {
        guard let table = try? String(contentsOfFile: "/proc/net/unix", encoding: .utf8) else { return -1 }
        var inodes = Set<String>()
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8, fields[7].hasPrefix(directory) else { continue }
            inodes.insert(String(fields[6]))
        }
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else {
            return -1
        }
        return descriptors.filter { name in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name),
                target.hasPrefix("socket:[")
            else { return false }
            return inodes.contains(String(target.dropFirst(8).dropLast()))
        }.count
    }
}

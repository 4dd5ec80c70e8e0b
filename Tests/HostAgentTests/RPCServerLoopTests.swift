// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import GuestRPC
import Testing

@testable import HostAgent

/// The RPC server on its event loops under churn: VMs added and removed while guests talk,
/// stopping with requests in flight, many short connections, peers that stop reading or leave
/// during a reply delay. Every test ends with no server-side socket left open.
@Suite("RPCServer: connections on event loops under churn")
struct RPCServerLoopTests {
    @Test func aConnectionIsReleasedOnceItCloses() throws {
        let served = try DirectlyServedConnection(faults: FaultPlan.none)

        #expect(try served.client.request("echo one") == .success("one"))
        served.closeClientAndWaitForTheServer()

        #expect(served.connection == nil)
    }

    /// The watcher's and delay timer's handlers held their connection, which held them: a closed
    /// connection was never freed, with its buffers.
    @Test func aConnectionThatWaitedOutAReplyDelayIsReleasedOnceItCloses() throws {
        let served = try DirectlyServedConnection(faults: FaultPlan(replyDelay: .milliseconds(5)))

        #expect(try served.client.request("echo one") == .success("one"))
        served.closeClientAndWaitForTheServer()

        #expect(served.connection == nil)
    }

    @Test func aPeerLeavingDuringAReplyDelayReleasesItsConnection() throws {
        let fixture = try ServerFixture()
        fixture.server.setFaultPlan(FaultPlan(replyDelay: .milliseconds(50)), forVM: "vm1")
        for index in 0..<20 {
            let client = try fixture.client()
            try client.write(RPCPacket(payload: Array("echo \(index)".utf8)).encoded())
        }

        #expect(fixture.waitUntilClosed(accepted: 20))
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
        fixture.server.setFaultPlan(.none, forVM: "vm1")
        #expect(try fixture.client().request("echo after") == .success("after"))
    }

    @Test func droppingAConnectionDuringAReplyDelayClosesItWithoutTheReply() throws {
        let fixture = try ServerFixture()
        #expect(fixture.server.setFaultPlan(FaultPlan(replyDelay: .seconds(30)), forVM: "vm1"))
        let client = try fixture.client()
        try client.write(RPCPacket(payload: Array("echo never".utf8)).encoded())
        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 1 })

        #expect(fixture.server.dropConnections(ofVM: "vm1") == 1)

        #expect(try client.readsEndOfStream())
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
    }

    @Test func pipelinedRequestsUnderAReplyDelayAreEachDelayedAndAnsweredInOrder() throws {
        let fixture = try ServerFixture()
        fixture.server.setFaultPlan(FaultPlan(replyDelay: .milliseconds(3)), forVM: "vm1")
        let client = try fixture.client()
        let requests = (0..<20).map { RPCPacket(payload: Array("echo \($0)".utf8)).encoded() }
        let start = ContinuousClock.now

        try client.write(Array(requests.joined()))

        for index in 0..<20 {
            #expect(try client.readReply() == .success("\(index)"))
        }
        #expect(ContinuousClock.now - start >= .milliseconds(60))
    }

    @Test func aPeerThatNeverReadsALargeReplyThenLeavesReleasesItsConnection() throws {
        let fixture = try ServerFixture()
        for _ in 0..<10 {
            let client = try fixture.client()
            try client.write(RPCPacket(payload: Array("fill \(8 << 20)".utf8)).encoded())
            // More requests, which the server must not read while the reply waits to be written.
            try client.write(RPCPacket(payload: Array("fill \(8 << 20)".utf8)).encoded())
            try client.write(RPCPacket(payload: Array("echo late".utf8)).encoded())
        }

        #expect(fixture.waitUntilClosed(accepted: 10))
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
        #expect(try fixture.client().request("echo after") == .success("after"))
    }

    @Test func thousandsOfShortConnectionsLeaveNothingOpen() throws {
        let fixture = try ServerFixture()
        let failures = Recorder<String>()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for index in 0..<750 {
                do {
                    let client = try fixture.client()
                    let reply = try client.request("echo \(worker)-\(index)", fastClose: index % 2 == 0)
                    if reply != .success("\(worker)-\(index)") { failures.append("wrong reply \(reply)") }
                } catch {
                    failures.append("\(error)")
                }
            }
        }

        #expect(failures.values.isEmpty, "\(failures.values.prefix(5))")
        #expect(fixture.waitUntilClosed(accepted: 3000))
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
    }

    @Test func aThousandConnectionsOpenAtOnceAreServedAndReleased() throws {
        let fixture = try ServerFixture()
        var clients = try (0..<1000).map { _ in try fixture.client() }
        for (index, client) in clients.enumerated() {
            try client.write(RPCPacket(payload: Array("echo \(index)".utf8)).encoded())
        }

        for (index, client) in clients.enumerated() {
            #expect(try client.readReply() == .success("\(index)"))
        }
        #expect(fixture.server.statistics.connectionsOpen == 1000)
        clients.removeAll()

        #expect(fixture.waitUntilClosed(accepted: 1000))
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
    }

    /// Requests pipelined faster than their replies are read: the server stops reading while
    /// replies wait to be written, and answers every request, in order, once they are read.
    @Test func pipelinedRequestsFromASlowReaderAreAllAnsweredInOrder() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let count = 10_000
        let written = DispatchSemaphore(value: 0)
        let writeFailure = Recorder<String>()
        Thread {
            defer { written.signal() }
            do {
                for index in 0..<count {
                    try client.write(RPCPacket(payload: Array("fill \(index % 3000)".utf8)).encoded())
                }
            } catch {
                writeFailure.append("\(error)")
            }
        }.start()

        var mismatches = 0
        let filler = [UInt8](repeating: UInt8(ascii: "A"), count: 3000)
        for index in 0..<count {
            let reply = try client.readReply()
            if !reply.succeeded || reply.payload[...] != filler[..<(index % 3000)] { mismatches += 1 }
        }

        #expect(written.wait(timeout: .now() + 10) == .success)
        #expect(writeFailure.values.isEmpty)
        #expect(mismatches == 0)
    }

    /// Small requests for large replies from a peer that reads nothing: the server answered every
    /// request in a read at once and buffered all the replies (1,000 requests of 13 bytes made
    /// 60 MB here). It now stops answering while 256 KiB of replies wait to be written.
    @Test func smallRequestsForLargeRepliesDoNotBufferEveryReply() throws {
        let answered = Recorder<Int>()
        let fixture = try ServerFixture(requestObserver: { _ in answered.append(1) })
        let client = try fixture.client()

        let request = RPCPacket(payload: Array("fill 60000".utf8)).encoded()
        try client.write(Array([[UInt8]](repeating: request, count: 1000).joined()))

        #expect(poll(seconds: 5) { answered.values.count >= 1 })
        #expect(!poll(seconds: 0.5) { answered.values.count > 50 })
        for _ in 0..<1000 {
            let reply = try client.readReply()
            #expect(reply.payload.count == 60000)
        }
        #expect(answered.values.count == 1000)
    }

    @Test func stopWithRequestsInFlightClosesEverything() throws {
        let fixture = try ServerFixture(vms: [
            VMEndpointConfiguration(name: "vm1"), VMEndpointConfiguration(name: "vm2"),
        ])
        fixture.server.setFaultPlan(FaultPlan(replyDelay: .milliseconds(20)), forVM: "vm2")
        let clients = try (0..<40).map { try fixture.client($0 % 2 == 0 ? "vm1" : "vm2") }
        for (index, client) in clients.enumerated() {
            try client.write(RPCPacket(payload: Array("fill \(index % 4 == 0 ? 4 << 20 : 10)".utf8)).encoded())
        }

        fixture.server.stop()

        #expect(fixture.server.statistics.connectionsOpen == 0)
        #expect(ServerSockets.open(under: fixture.stateDirectory) == 0)
        #expect(fixture.server.vmNames.isEmpty)
    }

    /// `removeVM` let go of the lock before it unlinked the socket file: a VM already gone from
    /// `vmNames` still had its socket file, and adding it again at that moment could find the old
    /// socket still listening (`socketInUse`) or have its new socket file unlinked.
    @Test func aVMCanBeAddedAgainAsSoonAsItIsGone() throws {
        let fixture = try ServerFixture()
        let path = fixture.path()
        let failures = Recorder<String>()
        for _ in 0..<100 {
            let added = DispatchSemaphore(value: 0)
            Thread {
                defer { added.signal() }
                while fixture.server.vmNames.contains("vm1") {}
                if access(path, F_OK) == 0 { failures.append("socket file still there once the VM was gone") }
                do {
                    try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: EchoService.router())
                } catch {
                    failures.append("\(error)")
                }
            }.start()
            fixture.server.removeVM(named: "vm1")
            #expect(added.wait(timeout: .now() + 10) == .success)
            if !fixture.server.vmNames.contains("vm1") {
                try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: EchoService.router())
            }
            if access(path, F_OK) != 0 { failures.append("socket file lost") }
        }

        #expect(failures.values.isEmpty, "\(failures.values.count) failures: \(failures.values.prefix(3))")
        #expect(try fixture.client().request("echo still") == .success("still"))
    }

    @Test func vmsAddedRemovedAndDroppedWhileGuestsTalkAnswerRightOrClose() throws {
        let names = ["vm1", "vm2", "vm3"]
        let privileged = getuid() == 0
        let fixture = try ServerFixture(vms: names.map { VMEndpointConfiguration(name: $0) })
        let wrong = Recorder<String>()
        let answered = Recorder<Int>()
        let refused = Recorder<String>()
        let closed = Recorder<String>()
        let churnEnded = Recorder<Bool>()
        let guestsDone = DispatchGroup()
        for worker in 0..<4 {
            guestsDone.enter()
            Thread {
                defer { guestsDone.leave() }
                // The guests talk while the VMs churn, and a while longer once they are stable.
                var index = 0
                var afterChurn = 0
                while afterChurn < 30 && index < 100_000 {
                    index += 1
                    if !churnEnded.values.isEmpty { afterChurn += 1 }
                    let vm = names[(worker + index) % names.count]
                    let client: TestClient
                    do {
                        client = try fixture.client(vm)
                    } catch {
                        refused.append("\(error)")  // removed meanwhile
                        continue
                    }
                    for request in 0..<3 {
                        do {
                            let reply = try client.request("whoami", fastClose: request == 2 && index % 2 == 0)
                            guard reply == .success("\(vm) privileged=\(privileged)") else {
                                wrong.append("\(vm): \(reply)")
                                break
                            }
                            answered.append(1)
                        } catch let error as TestClientError
                            where ["closed", "Connection reset", "Broken pipe"].contains(
                                where: error.description.contains)
                        {
                            closed.append(error.description)
                            break  // dropped or removed: closing (or a reset of unread input) is a right answer
                        } catch {
                            wrong.append("\(vm): \(error)")
                            break
                        }
                        if request == 2 && index % 2 == 0 { break }
                    }
                }
            }.start()
        }
        let churners = DispatchGroup()
        for (index, vm) in names.enumerated() {
            churners.enter()
            Thread {
                defer { churners.leave() }
                for round in 0..<300 {
                    switch (round + index) % 3 {
                    case 0: fixture.server.dropConnections(ofVM: vm)
                    case 1: fixture.server.removeVM(named: vm)
                    default:
                        _ = try? fixture.server.addVM(VMEndpointConfiguration(name: vm), router: EchoService.router())
                    }
                }
                _ = try? fixture.server.addVM(VMEndpointConfiguration(name: vm), router: EchoService.router())
            }.start()
        }

        #expect(churners.wait(timeout: .now() + 60) == .success)
        churnEnded.append(true)
        #expect(guestsDone.wait(timeout: .now() + 60) == .success)
        #expect(wrong.values.isEmpty, "\(wrong.values.prefix(5))")
        // Every request after the churn is answered; during it, some are answered and some closed.
        #expect(answered.values.count >= 4 * 30 - 4, "refused \(refused.values.count), closed \(closed.values.count)")
        #expect(fixture.server.vmNames == names)
        for vm in names {
            #expect(try fixture.client(vm).request("whoami") == .success("\(vm) privileged=\(privileged)"))
        }
        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 0 })
        #expect(ServerSockets.wait(untilOpen: names.count, under: fixture.stateDirectory))
        fixture.server.stop()
        #expect(ServerSockets.open(under: fixture.stateDirectory) == 0)
    }

    /// A connection was listed under its VM only after answering the request that came with it:
    /// dropping the VM's connections meanwhile (from that very request, or from another thread
    /// while it was answered) missed it, although the statistics already counted it open.
    @Test func aConnectionAnsweringTheRequestItCameWithIsDroppedWithTheOthers() throws {
        let fixture = try ServerFixture(vms: [])
        let inBlock = DispatchSemaphore(value: 0)
        let unblock = DispatchSemaphore(value: 0)
        let dropped = Recorder<Int>()
        let router = EchoService.router()
        router.register(
            command: "block",
            to: ClosureService { _ in
                inBlock.signal()
                _ = unblock.wait(timeout: .now() + 5)
                return .success("unblocked")
            })
        router.register(
            command: "drop",
            to: ClosureService { request in
                dropped.append(fixture.server.dropConnections(ofVM: request.vmName))
                return .success("dropped")
            })
        try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: router)
        let first = try fixture.client()
        #expect(try first.request("echo listed") == .success("listed"))
        try first.write(RPCPacket(payload: Array("block".utf8)).encoded())
        #expect(inBlock.wait(timeout: .now() + 5) == .success)

        // The VM's loop is busy: this connection and its request wait together until it is free.
        let second = try fixture.client()
        try second.write(RPCPacket(payload: Array("drop".utf8)).encoded())
        unblock.signal()

        #expect(try first.readReply() == .success("unblocked"))
        #expect(try first.readsEndOfStream())
        #expect(try second.readsEndOfStream())
        // Once the VM's loop answers another connection, the turn that dropped them is over.
        #expect(try fixture.client().request("echo next") == .success("next"))
        #expect(dropped.values == [2])
    }

    /// The server's last reference can go while a request is being answered on a loop's thread,
    /// which then runs the server's deinit itself: stopping must neither deadlock on that loop
    /// nor leave anything open.
    @Test func aServerReleasedWhileAnsweringOnItsLoopStopsCleanly() throws {
        let directory = try DaemonFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let inHandler = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        let router = EchoService.router()
        router.register(
            command: "slow",
            to: ClosureService { _ in
                inHandler.signal()
                _ = released.wait(timeout: .now() + 5)
                return .success("late")
            })
        var server: RPCServer? = RPCServer(
            configuration: RPCServer.Configuration(stateDirectory: directory), logger: .disabled)
        weak let weakServer = server
        try server?.addVM(VMEndpointConfiguration(name: "vm1"), router: router)
        let client = try TestClient(path: directory + "/vms/vm1.sock")
        // The first request is answered as the connection is accepted, the next by its watcher,
        // where the connection holds the server only while it answers.
        #expect(try client.request("echo first") == .success("first"))
        try client.write(RPCPacket(payload: Array("slow".utf8)).encoded())
        #expect(inHandler.wait(timeout: .now() + 5) == .success)

        server = nil
        released.signal()

        // The server stops while the reply is on its way: the reply is dropped with the connection.
        #expect(try client.readsEndOfStream())
        #expect(weakServer == nil)
        #expect(ServerSockets.wait(untilOpen: 0, under: directory))
    }

    /// A service on the loop's thread that drops its own VM's connections closes the connection it
    /// is answering; the reply used to be sent to the closed descriptor's number all the same,
    /// which by then could belong to another socket or file.
    @Test func aServiceDroppingItsOwnVMsConnectionsSendsNothingToAReusedDescriptor() throws {
        let fixture = try ServerFixture(vms: [])
        let intruder = Recorder<SocketPair>()
        let router = EchoService.router()
        router.register(
            command: "drop",
            to: ClosureService { request in
                fixture.server.dropConnections(ofVM: request.vmName)
                // Takes the lowest free descriptor number: the one the connection has just closed.
                if let pair = try? SocketPair() { intruder.append(pair) }
                return .success("dropped")
            })
        try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: router)
        let client = try fixture.client()
        // A first request, so that the connection is served by its watcher and listed under its VM.
        #expect(try client.request("echo listed") == .success("listed"))

        try client.write(RPCPacket(payload: Array("drop".utf8)).encoded())

        #expect(try client.readsEndOfStream())
        // The VM's connections share its loop: once another one is answered, the dropped
        // connection's turn, reply and all, is over.
        #expect(try fixture.client().request("echo next") == .success("next"))
        let pair = try #require(intruder.values.first)
        #expect(pair.readByte(from: pair.second) == nil)
    }
}

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
            name: "vm1", router: EchoService.router(), enforcesSecureChannel: false, faults: faults)
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
    /// Polls (every 10 ms, for at most 2 s) until exactly `count` server sockets are open: the
    /// server forgets a connection just before it closes its descriptor.
    static func wait(untilOpen count: Int, under directory: String) -> Bool {
        for _ in 0..<200 {
            if self.open(under: directory) == count { return true }
            usleep(10_000)
        }
        return self.open(under: directory) == count
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

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import GuestRPC
import Testing

@testable import HostAgent

/// The RPC server on its event loops under churn: VMs added and removed while guests talk,
/// stopping with requests in flight, many short connections, connections freed once closed.
/// Server-side sockets are counted at the end: none may be left open.
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

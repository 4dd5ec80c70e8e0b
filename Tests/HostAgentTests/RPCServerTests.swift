// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent
import Testing

@Suite("RPCServer: requests and replies over a VM's Unix socket")
struct RPCServerTests {
    @Test func thousandSequentialRequestsOnOneConnectionAreAllAnswered() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()

        for index in 0..<1000 {
            let reply = try client.request("echo \(index)")
            #expect(reply == .success("\(index)"))
        }

        #expect(fixture.server.statistics.requestsByVM == ["vm1": 1000])
        #expect(fixture.server.statistics.connectionsAccepted == 1)
    }

    @Test func replyPacketIsTypeOneAndThePrefixedPayload() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()

        try client.write(RPCPacket(payload: Array("echo hi".utf8)).encoded())
        let header = try #require(try client.read(count: 4))
        let body = try #require(try client.read(count: Int(header[3])))

        let expected: [UInt8] =
            [0, 0, 0, 32]
            + [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]
            + [0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 4] + Array("1 hi".utf8)
        #expect(header + body == expected)
    }

    @Test func fastCloseClosesTheConnectionRightAfterTheReply() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()

        let reply = try client.request("echo bye", fastClose: true)

        #expect(reply == .success("bye"))
        #expect(try client.readsEndOfStream())
    }

    @Test func connectionWithoutFastCloseStaysOpen() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()

        #expect(try client.request("echo one") == .success("one"))
        #expect(try client.request("echo two", fastClose: true) == .success("two"))
        #expect(try client.readsEndOfStream())
    }

    @Test func unroutedCommandGetsUnknownCommand() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()

        let reply = try client.request("guestlib.nosuch 3")

        #expect(reply.wireBytes == Array("0 Unknown command".utf8))
        #expect(reply.isUnknownCommand)
    }

    @Test func pipelinedRequestsInOneWriteAreAnsweredInOrder() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()

        let requests = (0..<50).flatMap { RPCPacket(payload: Array("echo \($0)".utf8)).encoded() }
        try client.write(requests)

        for index in 0..<50 {
            #expect(try client.readReply() == .success("\(index)"))
        }
    }

    @Test func requestSplitIntoSingleBytesIsAnswered() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()

        for byte in RPCPacket(payload: Array("echo slow".utf8)).encoded() {
            try client.write([byte])
        }

        #expect(try client.readReply() == .success("slow"))
    }

    @Test func replyLargerThanTheSocketBufferIsWrittenWhole() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let count = 1 << 20

        let reply = try client.request("big \(count)")

        #expect(reply.succeeded)
        #expect(reply.payload.count == count)
        #expect(reply.payload == (0..<count).map { UInt8(truncatingIfNeeded: $0) })
        #expect(try client.request("echo after") == .success("after"))
    }

    @Test func requestCarriesTheVMNameAndPeerPrivilege() throws {
        let fixture = try ServerFixture(vms: [VMEndpointConfiguration(name: "web01")])
        let client = try fixture.client("web01")

        #expect(try client.request("whoami") == .success("web01 privileged=true"))
    }

    @Test func twoHundredConcurrentConnectionsAreAllServed() throws {
        let fixture = try ServerFixture()
        let clients = try (0..<200).map { _ in try fixture.client() }

        for (index, client) in clients.enumerated() {
            try client.write(RPCPacket(payload: Array("echo \(index)".utf8)).encoded())
        }
        var answered = 0
        for (index, client) in clients.enumerated()
        where try client.readReply() == .success("\(index)") {
            answered += 1
        }

        #expect(answered == 200)
        #expect(fixture.server.statistics.connectionsAccepted == 200)
    }

    @Test func statisticsCountConnectionsAcceptedAndOpen() throws {
        let fixture = try ServerFixture()
        let clients = try (0..<3).map { _ in try fixture.client() }
        for client in clients {
            _ = try client.request("echo 1")
        }

        _ = try clients[0].request("echo 2", fastClose: true)
        #expect(try clients[0].readsEndOfStream())

        let statistics = fixture.server.statistics
        #expect(statistics.connectionsAccepted == 3)
        #expect(statistics.connectionsOpen == 2)
        #expect(statistics.requestsByVM == ["vm1": 4])
        #expect(statistics.badPackets == [:])
    }

    @Test func requestCountsOutliveTheVMAndAddUpWhenItIsAddedAgain() throws {
        let fixture = try ServerFixture(vms: [
            VMEndpointConfiguration(name: "vm1"), VMEndpointConfiguration(name: "vm2"),
        ])
        for _ in 0..<3 {
            _ = try fixture.client("vm1").request("echo 1", fastClose: true)
        }
        _ = try fixture.client("vm2").request("echo 1", fastClose: true)

        fixture.server.removeVM(named: "vm1")
        #expect(fixture.server.statistics.requestsByVM == ["vm1": 3, "vm2": 1])

        try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: EchoService.router())
        _ = try fixture.client("vm1").request("echo 1", fastClose: true)
        #expect(fixture.server.statistics.requestsByVM == ["vm1": 4, "vm2": 1])
    }

    @Test func requestObserverSeesEveryRequestWithItsCommand() throws {
        let records = LockedArray<RPCServer.RequestRecord>()
        let fixture = try ServerFixture(requestObserver: { records.append($0) })
        let client = try fixture.client()

        _ = try client.request("echo 1")
        _ = try client.request("nosuch")

        let seen = records.values
        #expect(seen.map(\.command) == ["echo", "nosuch"])
        #expect(seen.map(\.succeeded) == [true, false])
        #expect(seen.allSatisfy { $0.vmName == "vm1" && !$0.wasRefused && $0.duration >= .zero })
    }
}

/// An array several queues append to.
final class LockedArray<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Element] = []

    func append(_ element: Element) {
        self.lock.withLock { self.storage.append(element) }
    }

    var values: [Element] {
        self.lock.withLock { self.storage }
    }
}

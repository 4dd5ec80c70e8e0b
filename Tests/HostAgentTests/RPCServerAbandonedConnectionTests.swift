// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import GuestRPC
import HostAgent
import Testing

@Suite("RPCServer: a peer that goes away or misbehaves releases its connection")
struct RPCServerAbandonedConnectionTests {
    @Test func peerClosingInsideALargeReplyReleasesItsConnection() throws {
        let fixture = try ServerFixture()
        for _ in 0..<50 {
            let client = try fixture.client()
            try client.write(RPCPacket(payload: Array("fill \(3 << 20)".utf8)).encoded())
            _ = try client.read(count: 1000)
        }

        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 0 })
        #expect(try fixture.client().request("echo after") == .success("after"))
    }

    @Test func peerClosingRightAfterAPartialPacketReleasesItsConnection() throws {
        let fixture = try ServerFixture()
        let packet = RPCPacket(payload: Array("echo cut".utf8)).encoded()
        for _ in 0..<200 {
            let client = try fixture.client()
            try client.write(Array(packet.prefix(7)))
        }

        #expect(fixture.waitUntil { fixture.server.statistics.badPackets == [.truncated: 200] })
        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 0 })
        #expect(try fixture.client().request("echo after") == .success("after"))
    }

    /// A guest killed while writing a request leaves part of a packet: the operator sees a
    /// warning naming the VM, and a clean close after whole packets is not one.
    @Test func peerClosingInsideAPacketIsLoggedAsTruncated() throws {
        let fixture = try ServerFixture(vms: [VMEndpointConfiguration(name: "web07")])
        var clean: TestClient? = try fixture.client("web07")
        #expect(try clean?.request("echo whole") == .success("whole"))
        var cut: TestClient? = try fixture.client("web07")
        try cut?.write(Array(RPCPacket(payload: Array("echo cut".utf8)).encoded().prefix(20)))

        cut = nil
        clean = nil

        #expect(fixture.waitUntil { fixture.server.statistics.badPackets == [.truncated: 1] })
        let lines = fixture.entries(where: "reason", is: "truncated")
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.level == .warning)
        #expect(line.message == "peer closed the connection in the middle of a packet")
        #expect(line[field: "vm"] == "web07")
        #expect(line[field: "detail"] == "20 bytes of an incomplete packet discarded")
    }

    /// Found by the server-connection fuzz target: a connection closed before its read source
    /// existed closed its socket before the server forgot it, so a peer could see the end of
    /// stream while the connection still counted against its VM.
    @Test func serverForgetsABadConnectionBeforeThePeerSeesItClose() throws {
        let fixture = try ServerFixture()
        let malformed: [UInt8] = [0, 0, 0, 8, 0, 0, 0x60, 0x0E, 0, 0, 0, 1]
        for _ in 0..<200 {
            let client = try fixture.client()
            try client.write(malformed)
            #expect(try client.readsEndOfStream())
            #expect(fixture.server.statistics.connectionsOpen == 0)
        }
    }

    @Test func connectionsOverTheVMsLimitAreClosedWhileOtherVMsAreServed() throws {
        let fixture = try ServerFixture(
            vms: [VMEndpointConfiguration(name: "greedy"), VMEndpointConfiguration(name: "other")],
            maximumConnectionsPerVM: 2)
        let held = try (0..<2).map { _ in try fixture.client("greedy") }
        for client in held {
            #expect(try client.request("echo held") == .success("held"))
        }

        let refused = try (0..<2).map { _ in try fixture.client("greedy") }

        #expect(try refused.allSatisfy { try $0.readsEndOfStream() })
        #expect(try fixture.client("other").request("echo other") == .success("other"))
        #expect(fixture.server.statistics.connectionsRefused == 2)
        let warnings = fixture.entries(where: "reason", is: "connection-limit")
        #expect(warnings.count == 1)
        #expect(warnings.first?[field: "vm"] == "greedy")
        #expect(warnings.first?[field: "limit"] == "2")
    }

    @Test func closingAConnectionMakesRoomUnderTheVMsLimit() throws {
        let fixture = try ServerFixture(maximumConnectionsPerVM: 1)
        var first: TestClient? = try fixture.client()
        #expect(try first?.request("echo first") == .success("first"))
        first = nil

        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 0 })
        #expect(try fixture.client().request("echo second") == .success("second"))
    }
}

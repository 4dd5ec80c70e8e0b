// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC
import HostAgent
import Testing

/// A connection accepted before its first request waits for it in its loop's `ArrivalWatcher`, and
/// with a watcher of its own from then on.
@Suite("RPCServer: connections waiting for their first request")
struct RPCServerArrivalTests {
    @Test func requestSentAfterTheAcceptIsAnsweredAndTheNextOneToo() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 1 })

        #expect(try client.request("echo first") == .success("first"))
        #expect(try client.request("echo second", fastClose: true) == .success("second"))
        #expect(try client.readsEndOfStream())
    }

    @Test func firstRequestInTwoPiecesAfterTheAcceptIsAnswered() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 1 })
        let packet = RPCPacket(payload: Array("echo halves".utf8), fastClose: true).encoded()

        try client.write(Array(packet[..<6]))
        try client.write(Array(packet[6...]))

        #expect(try client.readReply() == .success("halves"))
        #expect(try client.readsEndOfStream())
    }

    @Test func droppingConnectionsClosesOneStillWaitingForItsFirstRequest() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 1 })

        #expect(fixture.server.dropConnections(ofVM: "vm1") == 1)

        #expect(try client.readsEndOfStream())
        #expect(fixture.server.statistics.connectionsOpen == 0)
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
    }

    @Test func peerLeavingBeforeItsFirstRequestReleasesTheConnection() throws {
        let fixture = try ServerFixture()
        var client: TestClient? = try fixture.client()
        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 1 })

        client = nil

        #expect(client == nil)
        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 0 })
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
    }
}

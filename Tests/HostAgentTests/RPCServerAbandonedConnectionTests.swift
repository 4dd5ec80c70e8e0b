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
}

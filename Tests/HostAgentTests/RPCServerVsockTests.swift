// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import GuestRPC
import Testing

@testable import HostAgent

/// The vsock path without vsock: a socket pair stands in for an accepted vsock connection and a
/// made-up `sockaddr_vm` for its peer address. The listener itself is never started in tests.
@Suite("RPCServer: connections accepted on vsock")
struct RPCServerVsockTests {
    /// Hands one end of a socket pair to the server as if accepted from `cid`:`port`.
    ///
    /// - Returns: a client on the other end.
    private func connectAsVsock(
        _ fixture: ServerFixture, cid: UInt32, port: UInt32
    ) throws -> TestClient {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else {
            throw TestClientError.call("socketpair")
        }
        _ = fcntl(pair[0], F_SETFL, O_NONBLOCK)
        fixture.server.serveVsock(pair[0], peerAddress: VsockAddress.encode(cid: cid, port: port))
        return TestClient(descriptor: pair[1])
    }

    @Test func sockaddrVMHasTheLinuxLayout() {
        let bytes = VsockAddress.encode(cid: 3, port: 976)

        #expect(bytes == [40, 0, 0, 0, 0xD0, 0x03, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0])
        #expect(VsockAddress.decode(bytes)?.cid == 3)
        #expect(VsockAddress.decode(bytes)?.port == 976)
    }

    @Test func addressOfAnotherFamilyIsNotAVsockPeer() {
        var bytes = VsockAddress.encode(cid: 3, port: 976)
        bytes[0] = UInt8(AF_UNIX)

        #expect(VsockAddress.decode(bytes) == nil)
    }

    @Test func peerCIDNamesTheVM() throws {
        let fixture = try ServerFixture(vms: [
            VMEndpointConfiguration(name: "kvm1", vsockCID: 3),
            VMEndpointConfiguration(name: "kvm2", vsockCID: 4),
        ])

        let client = try self.connectAsVsock(fixture, cid: 4, port: 1023)

        #expect(try client.request("whoami") == .success("kvm2 privileged=true"))
    }

    @Test func sourcePortAtOrAbove1024IsUnprivileged() throws {
        let fixture = try ServerFixture(vms: [VMEndpointConfiguration(name: "kvm1", vsockCID: 3)])

        let client = try self.connectAsVsock(fixture, cid: 3, port: 1024)

        #expect(try client.request("whoami") == .success("kvm1 privileged=false"))
    }

    @Test func secureChannelRefusesAnUnprivilegedSourcePort() throws {
        let fixture = try ServerFixture(vms: [
            VMEndpointConfiguration(name: "kvm1", secureChannel: true, vsockCID: 3)
        ])

        let refused = try self.connectAsVsock(fixture, cid: 3, port: 50000)
        let answered = try self.connectAsVsock(fixture, cid: 3, port: 1023)

        #expect(try refused.request("whoami").wireBytes == Array("0 Permission denied".utf8))
        #expect(try refused.request("echo open") == .failure("Permission denied"))
        #expect(try answered.request("whoami") == .success("kvm1 privileged=true"))
    }

    @Test func unknownCIDIsClosedWithALogLine() throws {
        let fixture = try ServerFixture(vms: [VMEndpointConfiguration(name: "kvm1", vsockCID: 3)])

        let client = try self.connectAsVsock(fixture, cid: 9, port: 1000)

        #expect(try client.readsEndOfStream())
        let lines = fixture.entries(where: "reason", is: "unknown-cid")
        #expect(lines.count == 1)
        #expect(lines.first?[field: "peer"] == "vsock:9:1000")
        #expect(fixture.server.statistics.connectionsAccepted == 0)
    }

    @Test func removingTheVMClosesItsVsockConnections() throws {
        let fixture = try ServerFixture(vms: [VMEndpointConfiguration(name: "kvm1", vsockCID: 3)])
        let client = try self.connectAsVsock(fixture, cid: 3, port: 1023)
        #expect(try client.request("echo 1") == .success("1"))

        fixture.server.removeVM(named: "kvm1")

        #expect(try client.readsEndOfStream())
    }

    @Test func badPacketOverVsockIsLoggedWithTheVsockPeer() throws {
        let fixture = try ServerFixture(vms: [VMEndpointConfiguration(name: "kvm1", vsockCID: 3)])
        let client = try self.connectAsVsock(fixture, cid: 3, port: 1023)

        try client.write([0x7F, 0xFF, 0xFF, 0xFC])

        #expect(try client.readsEndOfStream())
        let line = try #require(fixture.entries(where: "reason", is: "oversized-length").first)
        #expect(line[field: "vm"] == "kvm1")
        #expect(line[field: "peer"] == "vsock:3:1023")
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import GuestRPC
import HostAgent
import Testing

@Suite("RPCServer: a bad packet closes only its own connection")
struct RPCServerBadPacketTests {
    /// One kind of bad packet: its bytes and the reason the server must log.
    struct BadPacket: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var reason: BadPacketReason

        var testDescription: String { self.name }
    }

    static let packetTypeField: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]

    static let badPackets = [
        BadPacket(
            name: "malformed DataMap (type tag 9)",
            bytes: [0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 1],
            reason: .malformedDataMap
        ),
        BadPacket(
            name: "empty payload",
            bytes: [0, 0, 0, 28] + packetTypeField + [0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0],
            reason: .emptyPayload
        ),
        BadPacket(
            name: "length word over 64 KiB",
            bytes: [0, 1, 0, 1],
            reason: .oversizedLength
        ),
        BadPacket(
            name: "missing field 2",
            bytes: [0, 0, 0, 16] + packetTypeField,
            reason: .missingPayload
        ),
    ]

    @Test(arguments: badPackets)
    func badPacketClosesItsConnectionWhileAnotherCarriesOn(_ packet: BadPacket) throws {
        let fixture = try ServerFixture()
        let good = try fixture.client()
        let bad = try fixture.client()
        #expect(try good.request("echo before") == .success("before"))

        try bad.write(packet.bytes)

        #expect(try bad.readsEndOfStream())
        #expect(try good.request("echo after") == .success("after"))
        #expect(try fixture.client().request("echo new") == .success("new"))
        #expect(fixture.server.statistics.badPackets == [packet.reason: 1])
    }

    @Test(arguments: badPackets)
    func badPacketIsLoggedOnceNamingTheVMAndReason(_ packet: BadPacket) throws {
        let fixture = try ServerFixture(vms: [VMEndpointConfiguration(name: "db02")])
        let bad = try fixture.client("db02")

        try bad.write(packet.bytes)
        #expect(try bad.readsEndOfStream())

        let lines = fixture.entries(where: "reason", is: packet.reason.rawValue)
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.level == .warning)
        #expect(line.message == "closing connection after a bad packet")
        #expect(line[field: "vm"] == "db02")
        #expect(line[field: "peer"]?.hasPrefix("unix:uid/0:pid/\(getpid())") == true)
    }

    @Test func maximumPacketLengthIsConfigurable() throws {
        let fixture = try ServerFixture(maximumPacketLength: 100)
        let fits = try fixture.client()
        let tooLong = try fixture.client()
        let longest = "echo " + String(repeating: "a", count: 100 - 12 - 16 - 5)

        #expect(try fits.request(longest) == .success(String(repeating: "a", count: 67)))
        try tooLong.write(RPCPacket(payload: Array((longest + "a").utf8)).encoded())

        #expect(try tooLong.readsEndOfStream())
        #expect(fixture.server.statistics.badPackets == [.oversizedLength: 1])
    }

    @Test func repliesQueuedBeforeABadPacketAreStillSent() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()

        try client.write(
            RPCPacket(payload: Array("echo first".utf8)).encoded() + [0, 0, 0, 16]
                + Self.packetTypeField)

        #expect(try client.readReply() == .success("first"))
        #expect(try client.readsEndOfStream())
    }
}

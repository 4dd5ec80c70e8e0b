// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib
import GuestRPC
import Testing

@Suite struct GuestLibExtendedStatisticsTests {
    static let endpoint = Endpoint.unix(path: "/fake/vm.sock")

    static func statGet(_ host: FakeHost, encoding: String, stat: String) -> Result<[UInt8], GuestLibError> {
        GuestLibHandle.extendedStatistics(
            encoding: Array(encoding.utf8), stat: Array(stat.utf8), endpoint: endpoint, makeChannel: host.makeChannel)
    }

    @Test func statGetSendsTheRequestVerbatimAndReturnsTheDocument() {
        let host = FakeHost(.v3)
        host.otherRequests = { _ in .success("{\"session\": 1}") }
        #expect(Self.statGet(host, encoding: "json", stat: "vscsi scsi0:0") == .success(Array("{\"session\": 1}".utf8)))
        #expect(host.requests == ["guestlib.stat.get json vscsi scsi0:0"])
        #expect(host.channelsClosed == 1)
    }

    @Test func statGetWithAnEmptyStatEndsInASpace() {
        let host = FakeHost(.v3)
        host.otherRequests = { _ in .success("session\nhost") }
        _ = Self.statGet(host, encoding: "text", stat: "")
        #expect(host.requests == ["guestlib.stat.get text "])
    }

    @Test func statGetSendsA255ByteRequest() {
        let host = FakeHost(.v3)
        host.otherRequests = { _ in .success("") }
        let stat = String(repeating: "s", count: 255 - "guestlib.stat.get json ".count)
        #expect(Self.statGet(host, encoding: "json", stat: stat) == .success([]))
        #expect(host.requestBytes.map(\.count) == [255])
    }

    @Test func statGetRefusesA256ByteRequestWithoutSending() {
        let host = FakeHost(.v3)
        let stat = String(repeating: "s", count: 256 - "guestlib.stat.get json ".count)
        #expect(Self.statGet(host, encoding: "json", stat: stat).failureCode == 7)
        #expect(host.requests.isEmpty)
        #expect(host.channelsMade == 0)
    }

    @Test func statGetFailureIsNotAvailableWithTheHostsText() {
        let host = FakeHost(.v3)
        host.otherRequests = { _ in .failure("Unknown stat") }
        let error = #expect(throws: GuestLibError.notAvailable) {
            try Self.statGet(host, encoding: "json", stat: "x").get()
        }
        #expect(error?.reply == Array("Unknown stat".utf8))
    }

    @Test func statGetTransportFailureIsNotAvailableWithTheGuestText() {
        let host = FakeHost(.unreachable(RPCError(.channelUnavailable, endpoint: Self.endpoint)))
        let error = #expect(throws: GuestLibError.notAvailable) {
            try Self.statGet(host, encoding: "json", stat: "x").get()
        }
        #expect(error?.reply == Array("RpcChannel: Unable to create the RpcChannel object".utf8))
    }

    @Test func atomicUpdateCookieSendsTheProtocolExampleBytes() {
        let host = FakeHost(.v3)
        host.otherRequests = { _ in .success("0") }
        let reply = GuestLibHandle.atomicUpdateCookie(
            source: Array("ab".utf8), destination: Array("cdefg".utf8), endpoint: Self.endpoint,
            makeChannel: host.makeChannel)
        #expect(reply == RPCReply(succeeded: true, payload: [0x30]))
        let expected =
            Array("guestlib.ioctl ".utf8)
            + Fixtures.hex("00 00 00 01 | 00 00 00 02 61 62 00 00 | 00 00 00 05 63 64 65 66 67 00 00 00")
        #expect(host.requestBytes == [expected])
    }

    @Test func atomicUpdateCookieRefusesA257ByteCookieWithoutSending() {
        let host = FakeHost(.v3)
        let reply = GuestLibHandle.atomicUpdateCookie(
            source: [UInt8](repeating: 0x61, count: 257), destination: [], endpoint: Self.endpoint,
            makeChannel: host.makeChannel)
        #expect(reply == nil)
        #expect(host.requests.isEmpty)
    }

    @Test func atomicUpdateCookieSendsA256ByteCookieAndHandsBackAFailure() {
        let host = FakeHost(.v3)
        let reply = GuestLibHandle.atomicUpdateCookie(
            source: [], destination: [UInt8](repeating: 0x61, count: 256), endpoint: Self.endpoint,
            makeChannel: host.makeChannel)
        #expect(reply == .failure("Unknown command"))
        #expect(host.requestBytes.map(\.count) == [15 + 4 + 4 + 4 + 256])
    }
}

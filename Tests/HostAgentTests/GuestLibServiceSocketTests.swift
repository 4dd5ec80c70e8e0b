// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import GuestRPC
import HostAgent
import Testing

/// GuestLib's extended statistics and cookie ioctl against the host agent over its Unix socket.
@Suite("GuestLibService over the server socket: stat.get and ioctl")
struct GuestLibServiceSocketTests {
    static func maker() -> GuestLibHandle.ChannelMaker {
        { try RPCChannelFactory.makeChannel(for: $0, oneShot: true, logger: .disabled) }
    }

    @Test func extendedStatisticsArriveInEachEncoding() throws {
        let host = try StatisticsHost()
        let endpoint = Endpoint.unix(path: host.socketPath)
        for encoding in ["json", "text", "yaml", "xml"] {
            let result = GuestLibHandle.extendedStatistics(
                encoding: Array(encoding.utf8), stat: Array("session".utf8), endpoint: endpoint,
                makeChannel: Self.maker()
            )
            let expected = host.service.handle(
                RPCRequest(vmName: "vm1", bytes: Array("guestlib.stat.get \(encoding) session".utf8))
            )
            #expect(result == .success(expected.payload), "\(encoding)")
        }
    }

    @Test func unknownStatComesBackAsNotAvailableWithTheHostsText() throws {
        let host = try StatisticsHost()
        let result = GuestLibHandle.extendedStatistics(
            encoding: Array("json".utf8), stat: Array("vnet".utf8), endpoint: .unix(path: host.socketPath),
            makeChannel: Self.maker()
        )
        guard case .failure(let error) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(error == .notAvailable)
        #expect(error.reply == Array("Unknown stat".utf8))
    }

    @Test func atomicUpdateCookieSwapsTheVMsCookie() throws {
        let host = try StatisticsHost()
        let endpoint = Endpoint.unix(path: host.socketPath)
        let first = GuestLibHandle.atomicUpdateCookie(
            source: [], destination: Array("generation-1".utf8), endpoint: endpoint, makeChannel: Self.maker()
        )
        #expect(first == .success("0"))
        let stale = GuestLibHandle.atomicUpdateCookie(
            source: Array("generation-0".utf8), destination: Array("generation-2".utf8), endpoint: endpoint,
            makeChannel: Self.maker()
        )
        #expect(stale == .success("1"))
        #expect(host.statistics.currentCookie == "generation-1")
    }
}

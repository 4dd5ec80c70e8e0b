// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

/// The RPCI message state machine of PROTOCOL.md §2.4-§2.5 against a simulated host.
@Suite struct BackdoorMessageChannelTests {
    /// A host whose reply has the same length as the request: every byte XOR 0x5A.
    static func mirroringHost() -> SimulatedBackdoorHost {
        let host = SimulatedBackdoorHost()
        host.handler = { request in request.map { $0 ^ 0x5A } }
        return host
    }

    static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
    }

    @Test func sendPayloadRegistersMatchTheWorkedExample() throws {
        let host = SimulatedBackdoorHost()
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()

        try channel.send(Array("guestlib.info.get 3".utf8))

        #expect(host.calls(of: .sendSize).map(\.input.ebx) == [19])
        #expect(
            host.calls(of: .sendPayload).map(\.input.ebx) == [
                0x7365_7567, 0x6269_6C74, 0x666E_692E, 0x6567_2E6F, 0x0033_2074,
            ])
        #expect(
            host.calls(of: .sendPayload).map(\.input.ecx) == Array(repeating: 0x0002_001E, count: 5)
        )
        #expect(host.requests == [Array("guestlib.info.get 3".utf8)])
        #expect(host.violations.isEmpty)
    }

    @Test func openAsksForCookiesAndKeepsTheHostsIdAndCookies() throws {
        let host = SimulatedBackdoorHost()
        let channel = BackdoorMessageChannel(port: host)

        try channel.open()

        let open = try #require(host.calls.first)
        #expect(
            open.input
                == BackdoorRegisters(
                    eax: 0x564D_5868, ebx: 0xC943_5052, ecx: 0x0000_001E, edx: 0x5658))
        #expect(host.calls.count == 1)
        #expect(channel.session == .init(id: 5, cookieHigh: 0xC0DE_0005, cookieLow: 0x5EED_0005))
    }

    @Test func openRetriesOnceWithoutTheCookieFlag() throws {
        let host = SimulatedBackdoorHost()
        host.refusesCookieFlag = true
        let channel = BackdoorMessageChannel(port: host)

        try channel.open()
        try channel.send(Array("ping".utf8))

        #expect(host.calls(of: .open).map(\.input.ebx) == [0xC943_5052, 0x4943_5052])
        #expect(channel.session == .init(id: 5, cookieHigh: 0, cookieLow: 0))
        #expect(host.requests == [Array("ping".utf8)])
        #expect(host.violations.isEmpty)
    }

    @Test func openFailsWhenTheHostRefusesBothForms() throws {
        let host = SimulatedBackdoorHost()
        host.refusesOpen = true
        let channel = BackdoorMessageChannel(port: host)

        #expect(
            throws: RPCError(
                .openFailed, endpoint: .backdoor,
                detail: "the host refused OPEN with and without cookies")
        ) {
            try channel.open()
        }
        #expect(host.calls(of: .open).map(\.input.ebx) == [0xC943_5052, 0x4943_5052])
        #expect(channel.session == nil)
    }

    @Test func everyCallAfterOpenCarriesChannelIdCookiesMagicAndPort() throws {
        let host = Self.mirroringHost()
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()

        try channel.send(Self.pattern(9))
        _ = try channel.receive()
        channel.close()

        let later = host.calls.dropFirst()
        #expect(later.count == 1 + 3 + 1 + 3 + 1 + 1)
        for call in later {
            #expect(call.input.eax == 0x564D_5868)
            #expect(call.input.edx == 0x0005_5658)
            #expect(call.input.esi == 0xC0DE_0005)
            #expect(call.input.edi == 0x5EED_0005)
            #expect(call.input.ecx & 0xFFFF == 0x1E)
        }
        #expect(host.violations.isEmpty)
        #expect(host.openChannelCount == 0)
    }

    @Test(arguments: [0, 1, 3, 4, 5000])
    func messagesRoundTripInFourByteSteps(length: Int) throws {
        let host = Self.mirroringHost()
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        let message = Self.pattern(length)

        try channel.send(message)
        let reply = try channel.receive()

        #expect(host.requests == [message])
        #expect(reply == message.map { $0 ^ 0x5A })
        #expect(host.deliveredReplies == [reply])
        #expect(host.calls(of: .sendPayload).count == (length + 3) / 4)
        #expect(host.calls(of: .receivePayload).count == (length + 3) / 4)
        #expect(host.calls(of: .receivePayload).allSatisfy { $0.input.ebx == 1 })
        #expect(host.calls(of: .receiveStatus).map(\.input.ebx) == [1])
        #expect(host.violations.isEmpty)
    }

    @Test(arguments: [0, 1, 3, 4, 5000])
    func messagesRoundTripInOneHighBandwidthTransferEachWay(length: Int) throws {
        let host = Self.mirroringHost()
        host.advertisesHighBandwidth = true
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        let message = Self.pattern(length)

        try channel.send(message)
        let reply = try channel.receive()

        #expect(host.requests == [message])
        #expect(reply == message.map { $0 ^ 0x5A })
        #expect(host.calls(of: .sendPayload).isEmpty)
        #expect(host.calls(of: .receivePayload).isEmpty)
        let transfers = host.calls.filter { $0.transfer != .lowBandwidth }.map(\.transfer)
        #expect(transfers == (length == 0 ? [] : [.highBandwidthSend, .highBandwidthReceive]))
        #expect(host.violations.isEmpty)
    }

    @Test func highBandwidthTransfersPlaceTheCookiesPerDirection() throws {
        let host = Self.mirroringHost()
        host.advertisesHighBandwidth = true
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()

        try channel.send(Self.pattern(10))
        _ = try channel.receive()

        let send = try #require(host.calls.first { $0.transfer == .highBandwidthSend })
        #expect(
            send.input
                == BackdoorRegisters(
                    eax: 0x564D_5868, ebx: 0x0001_0000, ecx: 10, edx: 0x0005_5659, esi: 0,
                    edi: 0x5EED_0005,
                    ebp: 0xC0DE_0005))
        let receive = try #require(host.calls.first { $0.transfer == .highBandwidthReceive })
        #expect(
            receive.input
                == BackdoorRegisters(
                    eax: 0x564D_5868, ebx: 0x0001_0000, ecx: 10, edx: 0x0005_5659, esi: 0xC0DE_0005,
                    edi: 0,
                    ebp: 0x5EED_0005))
    }

    @Test func highBandwidthOfferIsDeclinedByAPortWithoutIt() throws {
        let host = Self.mirroringHost()
        host.advertisesHighBandwidth = true
        host.supportsHighBandwidth = false
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()

        try channel.send(Self.pattern(6))
        let reply = try channel.receive()

        #expect(reply == Self.pattern(6).map { $0 ^ 0x5A })
        #expect(host.calls.allSatisfy { $0.transfer == .lowBandwidth })
        #expect(host.calls(of: .sendPayload).count == 2)
    }

    @Test func checkpointMidSendRestartsFromSendSizeWithTheWholeMessage() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.checkpoint, at: .message(.sendPayload), occurrence: 3)
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        let message = Array("guestlib.info.get 3".utf8)

        try channel.send(message)

        #expect(
            host.messageTypes == [
                .open, .sendSize, .sendPayload, .sendPayload, .sendPayload,
                .sendSize, .sendPayload, .sendPayload, .sendPayload, .sendPayload, .sendPayload,
            ])
        #expect(host.calls(of: .sendPayload).suffix(5).map(\.input.ebx).first == 0x7365_7567)
        #expect(host.requests == [message])
        #expect(host.violations.isEmpty)
    }

    @Test func checkpointMidReceiveRestartsFromReceiveSize() throws {
        let host = Self.mirroringHost()
        host.inject(.checkpoint, at: .message(.receivePayload), occurrence: 2)
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        try channel.send(Self.pattern(12))

        let reply = try channel.receive()

        #expect(reply == Self.pattern(12).map { $0 ^ 0x5A })
        #expect(
            host.messageTypes.drop { $0 != .receiveSize } == [
                .receiveSize, .receivePayload, .receivePayload,
                .receiveSize, .receivePayload, .receivePayload, .receivePayload, .receiveStatus,
            ])
        #expect(host.deliveredReplies == [reply])
        #expect(host.violations.isEmpty)
    }

    @Test func checkpointAtReceiveStatusRestartsTheWholeReceive() throws {
        let host = Self.mirroringHost()
        host.inject(.checkpoint, at: .message(.receiveStatus))
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        try channel.send(Self.pattern(4))

        let reply = try channel.receive()

        #expect(reply == Self.pattern(4).map { $0 ^ 0x5A })
        #expect(host.calls(of: .receiveSize).count == 2)
        #expect(host.deliveredReplies == [reply])
    }

    @Test func checkpointDuringHighBandwidthTransfersRestartsBothDirections() throws {
        let host = Self.mirroringHost()
        host.advertisesHighBandwidth = true
        host.inject(.checkpoint, at: .highBandwidthSend)
        host.inject(.checkpoint, at: .highBandwidthReceive)
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()

        try channel.send(Self.pattern(100))
        let reply = try channel.receive()

        #expect(reply == Self.pattern(100).map { $0 ^ 0x5A })
        #expect(host.calls(of: .sendSize).count == 2)
        #expect(host.calls(of: .receiveSize).count == 2)
        #expect(host.requests == [Self.pattern(100)])
        #expect(host.violations.isEmpty)
    }
}

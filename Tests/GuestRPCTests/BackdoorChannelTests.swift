// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC
import Testing

/// `BackdoorChannel`: one message channel per request, the one retry, and the §2.7 texts.
@Suite struct BackdoorChannelTests {
    @Test func sendReturnsTheHostsReplyOverAChannelOpenedAndClosedForIt() throws {
        let host = SimulatedBackdoorHost()
        host.handler = { _ in Array("1 ok".utf8) }
        let channel = BackdoorChannel(port: host)

        let reply = try channel.send("guestlib.info.get 3")

        #expect(reply == .success("ok"))
        #expect(host.requests == [Array("guestlib.info.get 3".utf8)])
        #expect(host.messageTypes.first == .open)
        #expect(host.messageTypes.last == .close)
        #expect(host.openChannelCount == 0)
        #expect(host.violations.isEmpty)
        #expect(channel.endpoint == .backdoor)
    }

    @Test func everyRequestGetsItsOwnMessageChannel() throws {
        let host = SimulatedBackdoorHost()
        let channel = BackdoorChannel(port: host)

        _ = try channel.send("GuestAppMonitor.Cmd.MarkActive")
        _ = try channel.send("GuestAppMonitor.Cmd.MarkActive")

        #expect(host.calls(of: .open).map { $0.output.edx >> 16 } == [5, 6])
        #expect(host.calls(of: .close).map { $0.input.edx >> 16 } == [5, 6])
        #expect(host.openChannelCount == 0)
    }

    @Test func failedReplyKeepsTheHostsText() throws {
        let host = SimulatedBackdoorHost()
        host.handler = { _ in Array("0 Unknown command".utf8) }
        let channel = BackdoorChannel(port: host)

        let reply = try channel.send("no.such.command")

        #expect(reply.isUnknownCommand)
    }

    @Test func binaryReplyKeepsItsNULBytesAndLength() throws {
        let host = SimulatedBackdoorHost()
        let payload: [UInt8] = [0, 1, 0, 0xFF, 0, 0, 7]
        host.handler = { _ in Array("1 ".utf8) + payload }
        let channel = BackdoorChannel(port: host)

        let reply = try channel.send("guestlib.info.get 2")

        #expect(reply == RPCReply(succeeded: true, payload: payload))
    }

    @Test func failedSendIsRetriedOnceOnANewMessageChannel() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.failure, at: .message(.sendPayload))
        let channel = BackdoorChannel(port: host)

        let reply = try channel.send("ping")

        #expect(reply == .success("ping"))
        #expect(host.calls(of: .open).count == 2)
        #expect(host.calls(of: .close).count == 2)
        #expect(host.requests == [Array("ping".utf8)])
    }

    @Test func sendFailingTwiceGivesTheRpcOutSendText() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.failure, at: .message(.sendPayload), occurrence: nil)
        let channel = BackdoorChannel(port: host)

        let error = #expect(throws: RPCError.self) { try channel.send("ping") }

        #expect(error?.kind == .sendFailed)
        #expect(error?.guestText == "RpcOut: Unable to send the RPCI command")
        #expect(host.calls(of: .open).count == 2)
        #expect(host.openChannelCount == 0)
    }

    @Test func receiveFailingTwiceGivesTheRpcOutReceiveText() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.failure, at: .message(.receiveSize), occurrence: nil)
        let channel = BackdoorChannel(port: host)

        let error = #expect(throws: RPCError.self) { try channel.send("ping") }

        #expect(error?.kind == .receiveFailed)
        #expect(error?.guestText == "RpcOut: Unable to receive the result of the RPCI command")
        #expect(host.calls(of: .open).count == 2)
    }

    @Test func replyWithoutTheStatusPrefixGivesTheInvalidFormatText() throws {
        let host = SimulatedBackdoorHost()
        host.handler = { _ in Array("ok".utf8) }
        let channel = BackdoorChannel(port: host)

        let error = #expect(throws: RPCError.self) { try channel.send("ping") }

        #expect(error?.kind == .invalidReply)
        #expect(error?.guestText == "RpcOut: Invalid format for the result of the RPCI command")
        #expect(host.calls(of: .open).count == 2)
    }

    @Test func missingReplyIsAnInvalidFormat() throws {
        let host = SimulatedBackdoorHost()
        host.handler = { _ in nil }
        let channel = BackdoorChannel(port: host)

        let error = #expect(throws: RPCError.self) { try channel.send("ping") }

        #expect(error?.guestText == "RpcOut: Invalid format for the result of the RPCI command")
    }

    @Test func hostClosingTheChannelIsSurvivedByTheRetry() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.closeChannel, at: .message(.receivePayload))
        let channel = BackdoorChannel(port: host)

        let reply = try channel.send("ping")

        #expect(reply == .success("ping"))
        #expect(host.calls(of: .open).count == 2)
    }

    @Test func refusedOpenGivesTheUnableToOpenTextWithoutARetry() throws {
        let host = SimulatedBackdoorHost()
        host.refusesOpen = true
        let channel = BackdoorChannel(port: host)

        let error = #expect(throws: RPCError.self) { try channel.send("ping") }

        #expect(error?.kind == .openFailed)
        #expect(error?.guestText == "RpcChannel: Unable to open the communication channel")
        #expect(host.calls(of: .open).count == 2)
    }

    @Test func emptyRequestIsRefusedWithoutAPortCall() throws {
        let host = SimulatedBackdoorHost()
        let channel = BackdoorChannel(port: host)

        #expect(throws: RPCError(.invalidRequest, endpoint: .backdoor, detail: "empty request")) {
            try channel.send([])
        }
        #expect(host.calls.isEmpty)
    }

    @Test func requestOverTheHostLimitIsRefusedWithoutAPortCall() throws {
        let host = SimulatedBackdoorHost()
        let channel = BackdoorChannel(port: host)

        let error = #expect(throws: RPCError.self) {
            try channel.send([UInt8](repeating: 0x41, count: 65537))
        }

        #expect(error?.guestText == "RpcOut: Unable to send the RPCI command")
        #expect(host.calls.isEmpty)
    }

    @Test func highBandwidthIsUsedWhenTheHostOffersIt() throws {
        let host = SimulatedBackdoorHost()
        host.advertisesHighBandwidth = true
        let channel = BackdoorChannel(port: host)
        let request = [UInt8](repeating: 0x42, count: 5000)

        let reply = try channel.send(request)

        #expect(reply == RPCReply(succeeded: true, payload: request))
        #expect(
            host.calls.filter { $0.transfer != .lowBandwidth }.map(\.transfer) == [
                .highBandwidthSend, .highBandwidthReceive,
            ])
    }

    @Test func logsOnlyAtDebug() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.failure, at: .message(.sendPayload))
        let log = InMemoryLog()
        let channel = BackdoorChannel(port: host, logger: log.logger())

        _ = try channel.send("ping")

        #expect(!log.entries.isEmpty)
        #expect(log.entries.allSatisfy { $0.level == .debug })
        #expect(
            log.entries.contains {
                $0.message == "backdoor send failed, retrying once on a new channel"
            })
    }
}

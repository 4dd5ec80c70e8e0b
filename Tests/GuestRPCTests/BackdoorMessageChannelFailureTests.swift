// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

/// How the message channel fails: restart limits, a closing host, aborted receives,
/// length limits (PROTOCOL.md §2.4 notes 2 and 4).
@Suite struct BackdoorMessageChannelFailureTests {
    @Test func hostThatCheckpointsForeverFailsTheSendAfterTheRestartLimit() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.checkpoint, at: .message(.sendPayload), occurrence: nil)
        let channel = BackdoorMessageChannel(port: host, maximumCheckpointRestarts: 3)
        try channel.open()

        #expect(
            throws: RPCError(
                .sendFailed, endpoint: .backdoor, detail: "the host checkpointed 4 times in a row")
        ) {
            try channel.send(Array("ping".utf8))
        }
        #expect(host.calls(of: .sendSize).count == 4)
    }

    @Test func hostThatCheckpointsForeverFailsTheReceiveAfterTheRestartLimit() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.checkpoint, at: .message(.receivePayload), occurrence: nil)
        let channel = BackdoorMessageChannel(port: host, maximumCheckpointRestarts: 2)
        try channel.open()
        try channel.send(Array("ping".utf8))

        #expect(
            throws: RPCError(
                .receiveFailed, endpoint: .backdoor,
                detail: "the host checkpointed 3 times in a row")
        ) {
            _ = try channel.receive()
        }
        #expect(host.calls(of: .receiveSize).count == 3)
    }

    @Test func hostClosingTheChannelMidSendFailsTheSend() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.closeChannel, at: .message(.sendPayload), occurrence: 2)
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()

        #expect(
            throws: RPCError(
                .sendFailed, endpoint: .backdoor,
                detail: "SENDPAYLOAD failed: the host closed the channel")
        ) {
            try channel.send(Array("guestlib.info.get 3".utf8))
        }
        #expect(host.calls(of: .sendPayload).count == 2)
        #expect(host.requests.isEmpty)
    }

    @Test func hostClosingTheChannelBeforeTheReplyFailsTheReceive() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.closeChannel, at: .message(.receiveSize))
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        try channel.send(Array("ping".utf8))

        #expect(
            throws: RPCError(
                .receiveFailed, endpoint: .backdoor,
                detail: "RECVSIZE failed: the host closed the channel")
        ) {
            _ = try channel.receive()
        }
    }

    @Test func wrongPayloadTypeEchoAbortsTheReceiveWithRecvPayloadZero() throws {
        let host = BackdoorMessageChannelTests.mirroringHost()
        host.inject(.wrongTypeEcho, at: .message(.receivePayload), occurrence: 2)
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        try channel.send(BackdoorMessageChannelTests.pattern(12))

        #expect(
            throws: RPCError(
                .receiveFailed, endpoint: .backdoor,
                detail: "RECVPAYLOAD answered with type 7, expected 2")
        ) {
            _ = try channel.receive()
        }
        #expect(host.calls(of: .receivePayload).map(\.input.ebx) == [1, 1, 0])
        #expect(host.aborts == [.receivePayload])
        #expect(host.deliveredReplies.isEmpty)
    }

    @Test func failedPayloadStepAbortsTheReceive() throws {
        let host = BackdoorMessageChannelTests.mirroringHost()
        host.inject(.failure, at: .message(.receivePayload))
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        try channel.send(BackdoorMessageChannelTests.pattern(4))

        #expect(
            throws: RPCError(
                .receiveFailed, endpoint: .backdoor, detail: "RECVPAYLOAD failed: status 0x0")
        ) {
            _ = try channel.receive()
        }
        #expect(host.calls(of: .receivePayload).map(\.input.ebx) == [1, 0])
        #expect(host.aborts == [.receivePayload])
    }

    @Test func replyOverTheLimitIsAbortedBeforeAnyPayloadIsRead() throws {
        let host = BackdoorMessageChannelTests.mirroringHost()
        let channel = BackdoorMessageChannel(port: host, maximumReplyLength: 8)
        try channel.open()
        try channel.send(BackdoorMessageChannelTests.pattern(9))

        #expect(
            throws: RPCError(
                .receiveFailed, endpoint: .backdoor,
                detail: "reply of 9 bytes exceeds the limit of 8")
        ) {
            _ = try channel.receive()
        }
        #expect(host.calls(of: .receivePayload).map(\.input.ebx) == [0])
        #expect(host.aborts == [.receivePayload])
    }

    @Test func wrongSizeTypeEchoFailsWithoutAnAbort() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.wrongTypeEcho, at: .message(.receiveSize))
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        try channel.send(Array("ping".utf8))

        #expect(
            throws: RPCError(
                .receiveFailed, endpoint: .backdoor,
                detail: "RECVSIZE answered with type 7, expected 1")
        ) {
            _ = try channel.receive()
        }
        #expect(host.messageTypes.last == .receiveSize)
        #expect(host.aborts.isEmpty)
    }

    @Test func missingReplyReceivesAnEmptyMessage() throws {
        let host = SimulatedBackdoorHost()
        host.handler = { _ in nil }
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()
        try channel.send(Array("ping".utf8))

        let reply = try channel.receive()

        #expect(reply.isEmpty)
        #expect(host.messageTypes.last == .receiveSize)
    }

    @Test func messageOverTheHostLimitIsRefusedBeforeSendSize() throws {
        let host = SimulatedBackdoorHost()
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()

        #expect(
            throws: RPCError(
                .invalidRequest, endpoint: .backdoor,
                detail: "message of 65537 bytes exceeds the host's limit of 65536"
            )
        ) {
            try channel.send(BackdoorMessageChannelTests.pattern(65537))
        }
        #expect(host.messageTypes == [.open])
    }

    @Test func messageAtTheHostLimitIsSent() throws {
        let host = SimulatedBackdoorHost()
        let channel = BackdoorMessageChannel(port: host)
        try channel.open()

        try channel.send(BackdoorMessageChannelTests.pattern(65536))

        #expect(host.requests == [BackdoorMessageChannelTests.pattern(65536)])
        #expect(host.calls(of: .sendPayload).count == 16384)
    }

    @Test func closeSendsCloseAndAFailedCloseOnlyDropsTheSession() throws {
        let host = SimulatedBackdoorHost()
        host.inject(.failure, at: .message(.close))
        let log = InMemoryLog()
        let channel = BackdoorMessageChannel(port: host, logger: log.logger())
        try channel.open()

        channel.close()

        #expect(host.messageTypes == [.open, .close])
        #expect(channel.session == nil)
        #expect(log.entries.map(\.message) == ["backdoor channel opened", "backdoor CLOSE failed"])
        #expect(log.entries.allSatisfy { $0.level == .debug })
    }

    @Test func sendOnAClosedChannelFailsWithoutAPortCall() throws {
        let host = SimulatedBackdoorHost()
        let channel = BackdoorMessageChannel(port: host)

        #expect(
            throws: RPCError(
                .sendFailed, endpoint: .backdoor, detail: "the message channel is not open")
        ) {
            try channel.send(Array("ping".utf8))
        }
        #expect(host.calls.isEmpty)
    }
}

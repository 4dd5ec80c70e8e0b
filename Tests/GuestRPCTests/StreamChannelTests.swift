// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import Testing

@testable import GuestRPC

/// The stream channel against a scripted host on a Unix socket (the vsock framing, PROTOCOL.md §4.3, §15).
@Suite struct StreamChannelTests {
    private func channel(
        _ server: ScriptedServer, oneShot: Bool,
        maximumReplyLength: Int = StreamChannel.defaultMaximumReplyLength
    ) -> StreamChannel {
        StreamChannel.unix(
            path: server.path, oneShot: oneShot, logger: .disabled,
            maximumReplyLength: maximumReplyLength,
            ioTimeoutSeconds: 5
        )
    }

    /// Sends `request` to a host that answers each connection with `respond`, and returns the error thrown.
    private func failure(
        oneShot: Bool = true, maximumReplyLength: Int = StreamChannel.defaultMaximumReplyLength,
        _ respond: @escaping (ScriptedServer.Connection) -> Void
    ) throws -> RPCError? {
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            respond(connection)
        }
        defer { server.stop() }
        let channel = self.channel(server, oneShot: oneShot, maximumReplyLength: maximumReplyLength)
        defer { channel.close() }
        do {
            _ = try channel.send("guestlib.info.get 3")
            return nil
        } catch let error as RPCError {
            return error
        }
    }

    @Test func oneShotRequestIsTheSixtySevenBytesWithFastClose() throws {
        let received = Locked<[[UInt8]]>([])
        let closedAfterReply = Locked(false)
        let server = try ScriptedServer { connection in
            received.append(connection.readPacket() ?? [])
            connection.reply("1 data")
            closedAfterReply.value = connection.peerClosed()
        }
        let channel = self.channel(server, oneShot: true)
        let reply = try channel.send("guestlib.info.get 3")
        server.stop()

        #expect(reply == .success("data"))
        #expect(received.value == [DataMapTests.infoGetRequest])
        #expect(closedAfterReply.value)
        #expect(!channel.isOpen)
    }

    @Test func persistentRequestHasNoFastCloseAndStaysOpen() throws {
        let received = Locked<[[UInt8]]>([])
        let server = try ScriptedServer { connection in
            while let packet = connection.readPacket() {
                received.append(packet)
                connection.reply("1 0")
            }
        }
        let channel = self.channel(server, oneShot: false)
        #expect(try channel.send("GuestAppMonitor.Cmd.MarkActive") == .success("0"))
        #expect(channel.isOpen)
        channel.close()
        server.stop()

        #expect(
            received.value == [
                RPCPacket(payload: Array("GuestAppMonitor.Cmd.MarkActive".utf8)).encoded()
            ])
    }

    @Test func binaryReplyWithNULBytesKeepsEveryByte() throws {
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            connection.reply([0x31, 0x20, 0x00, 0x01, 0x00, 0xFF, 0x00])
        }
        defer { server.stop() }
        let reply = try self.channel(server, oneShot: true).send("guestlib.info.get 2")
        #expect(reply == RPCReply(succeeded: true, payload: [0x00, 0x01, 0x00, 0xFF, 0x00]))
    }

    @Test func failedReplyIsNotAnError() throws {
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            connection.reply("0 Unknown command")
        }
        defer { server.stop() }
        let reply = try self.channel(server, oneShot: true).send("no.such.command")
        #expect(reply.isUnknownCommand)
    }

    @Test func replyWithExtraFieldsInAnyOrderIsAccepted() throws {
        var wire = WireBuilder()
        wire.int32(4)
        wire.int32(9)
        wire.int32(1)
        wire.int32(1)
        wire.bytes([0x78])
        wire.int32(2)
        wire.int32(2)
        wire.int32(4)
        wire.bytes(Array("1 ok".utf8))
        let packet = wire.packet()
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            connection.write(packet)
        }
        defer { server.stop() }
        #expect(try self.channel(server, oneShot: true).send("x") == .success("ok"))
    }

    @Test func oneShotReplyArrivingWithBytesAfterItIsReadAndTheRestIgnored() throws {
        let reply = RPCPacket(payload: Array("1 whole".utf8)).encoded()
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            connection.write(reply + [0, 0, 0, 9, 1, 2])
        }
        defer { server.stop() }

        #expect(try self.channel(server, oneShot: true).send("x") == .success("whole"))
    }

    @Test func oneShotReplyInTwoWritesIsReadWhole() throws {
        let reply = RPCPacket(payload: Array("1 ".utf8) + Array(repeating: UInt8(ascii: "r"), count: 9000)).encoded()
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            connection.write(Array(reply[..<3]))
            connection.write(Array(reply[3...]))
        }
        defer { server.stop() }

        let answer = try self.channel(server, oneShot: true).send("x")
        #expect(answer.payload == Array(repeating: UInt8(ascii: "r"), count: 9000))
    }

    @Test func oneShotReplyAroundTheReadAheadIsReadWholeWhereverItIsSplit() throws {
        // 4100 bytes fill the first read exactly; 4101 need one more; 40 are split at every byte.
        var cases: [(packet: [UInt8], split: Int)] = []
        for total in [40, 4100, 4101] {
            let payload = Array("1 ".utf8) + (0..<(total - 34)).map { UInt8(truncatingIfNeeded: $0) }
            let packet = RPCPacket(payload: payload).encoded()
            let splits = total == 40 ? Array(1...total) : [1, 3, 4, 5, 35, total - 1, total]
            for split in splits { cases.append((packet, split)) }
        }
        let pending = Locked(cases)
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            let next = pending.value.removeFirst()
            connection.write(Array(next.packet[..<next.split]))
            usleep(2000)  // lets the channel read the first part alone
            connection.write(Array(next.packet[next.split...]))
        }
        defer { server.stop() }

        for (packet, split) in cases {
            let reply = try self.channel(server, oneShot: true).send("x")
            #expect(reply.payload == Array(packet[34...]), "split at \(split) of \(packet.count)")
        }
    }

    @Test func persistentChannelReadsOnlyItsReplyAndLeavesTheNextOneForTheNextSend() throws {
        let first = RPCPacket(payload: Array("1 first".utf8)).encoded()
        let second = RPCPacket(payload: Array("0 second".utf8)).encoded()
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            connection.write(first + second)
            _ = connection.readPacket()
            _ = connection.peerClosed()
        }
        defer { server.stop() }
        let channel = self.channel(server, oneShot: false)
        defer { channel.close() }

        #expect(try channel.send("a") == .success("first"))
        #expect(try channel.send("b") == .failure("second"))
        #expect(server.connections == 1)
    }

    @Test func lengthWordZeroIsAnInvalidReplyOnBothKindsOfChannel() throws {
        let oneShot = try self.failure(oneShot: true) { $0.write([0, 0, 0, 0]) }
        let persistent = try self.failure(oneShot: false) { $0.write([0, 0, 0, 0]) }
        #expect(oneShot?.kind == .invalidReply)
        #expect(oneShot?.detail == persistent?.detail)
    }

    @Test func replyWithFieldsInAnotherOrderAndLongerThanTheReadAheadIsAccepted() throws {
        let text = Array("1 ".utf8) + [UInt8](repeating: UInt8(ascii: "z"), count: 5000)
        var wire = WireBuilder()
        wire.int32(2)
        wire.int32(2)
        wire.int32(Int32(text.count))
        wire.bytes(text)
        wire.int32(1)
        wire.int32(1)
        wire.bytes([1, 0, 0, 0, 0, 0, 0, 0])
        let packet = wire.packet()
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            connection.write(packet)
        }
        defer { server.stop() }

        let reply = try self.channel(server, oneShot: true).send("x")
        #expect(reply.payload == Array(text[2...]))
    }

    @Test func hostClosingMidReplyIsAReceiveFailure() throws {
        let error = try self.failure { connection in
            connection.write([0, 0, 0, 20, 0, 0, 0, 1, 0])
        }
        #expect(
            error
                == RPCError(
                    .receiveFailed, endpoint: error?.endpoint ?? .auto,
                    detail: "the host closed the connection after 5 of 20 bytes"
                )
        )
        #expect(error?.guestText == "VSockOut: Unable to receive the result of the RPCI command")
    }

    @Test func hostThatNeverAnswersIsAReceiveFailureNamingTheTimeout() throws {
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            _ = connection.peerClosed()
        }
        defer { server.stop() }
        let channel = StreamChannel.unix(
            path: server.path, oneShot: true, logger: .disabled, ioTimeoutSeconds: 0.2)

        #expect(
            throws: RPCError(
                .receiveFailed, endpoint: .unix(path: server.path), systemCall: "recv", errorNumber: EAGAIN,
                detail: "the host did not answer within 0.2 s; "
                    + "the request was sent and may still take effect if the host resumes")
        ) {
            try channel.send("guestlib.info.get 3")
        }
    }

    @Test func hostClosingBeforeReplyingIsAReceiveFailure() throws {
        let error = try self.failure { _ in }
        #expect(error?.kind == .receiveFailed)
        #expect(error?.detail == "the host closed the connection after 0 of 4 bytes")
    }

    @Test func lengthWordAboveTheProtocolLimitIsAnInvalidReply() throws {
        let error = try self.failure(maximumReplyLength: .max) { connection in
            connection.write([0x7F, 0xFF, 0xFF, 0xFC])
        }
        #expect(error?.kind == .invalidReply)
        #expect(error?.detail == "reply length 2147483644 exceeds the maximum of 2147483643 bytes")
        #expect(error?.guestText == "VSockOut: Invalid format for the result of the RPCI command")
    }

    @Test func lengthWordAboveTheConfiguredMaximumIsAnInvalidReply() throws {
        let error = try self.failure(maximumReplyLength: 100) { connection in
            connection.write([0, 0, 0, 101] + [UInt8](repeating: 0, count: 101))
        }
        #expect(error?.detail == "reply length 101 exceeds the maximum of 100 bytes")
    }

    @Test func replyWithoutFieldTwoIsAnInvalidReply() throws {
        let error = try self.failure { connection in
            connection.write(DataMap(fields: [1: .int64(1)]).encoded())
        }
        #expect(error?.kind == .invalidReply)
        #expect(error?.detail == "the reply has no STRING field 2")
    }

    @Test func replyWhoseFieldTwoIsNotAStringIsAnInvalidReply() throws {
        let error = try self.failure { connection in
            connection.write(DataMap(fields: [2: .int64(1)]).encoded())
        }
        #expect(error?.detail == "the reply has no STRING field 2")
    }

    @Test func replyWithoutTheStatusPrefixIsAnInvalidReply() throws {
        let error = try self.failure { connection in
            connection.reply("ok")
        }
        #expect(error?.kind == .invalidReply)
        #expect(error?.detail == "the reply does not start with '1 ' or '0 '")
    }

    @Test func malformedReplyPacketIsAnInvalidReply() throws {
        let error = try self.failure { connection in
            connection.write([0, 0, 0, 12, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0])
        }
        #expect(error?.kind == .invalidReply)
        #expect(error?.detail == "STRING field 2 has invalid length 0")
    }

    @Test func thousandSequentialRequestsShareOneConnection() throws {
        let server = try ScriptedServer { connection in
            var count = 0
            while let packet = connection.readPacket() {
                count += 1
                let request = (try? RPCPacket(decoding: packet))?.payload ?? []
                connection.reply(Array("1 \(count) ".utf8) + request)
            }
        }
        let channel = self.channel(server, oneShot: false)
        for index in 1...1000 {
            let reply = try channel.send("request \(index)")
            #expect(reply.text == "\(index) request \(index)")
        }
        channel.close()
        server.stop()
        #expect(server.connections == 1)
    }

    @Test func persistentChannelReconnectsAndResendsOnceAfterTheHostDrops() throws {
        let received = Locked<[[UInt8]]>([])
        let server = try ScriptedServer { connection in
            while let packet = connection.readPacket() {
                received.append(packet)
                guard received.value.count != 2 else { return }
                connection.reply("1 fine")
            }
        }
        let channel = self.channel(server, oneShot: false)
        #expect(try channel.send("first") == .success("fine"))
        #expect(try channel.send("second") == .success("fine"))
        channel.close()
        server.stop()

        let second = RPCPacket(payload: Array("second".utf8)).encoded()
        #expect(server.connections == 2)
        #expect(received.value.suffix(2) == [second, second])
    }

    @Test func persistentChannelResendsOnlyOnce() throws {
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
        }
        let channel = self.channel(server, oneShot: false)
        #expect(throws: RPCError.self) { try channel.send("doomed") }
        server.stop()
        #expect(server.connections == 2)
        #expect(!channel.isOpen)
    }

    /// A stopped host would run both copies when it resumes: a request that timed out is not resent.
    @Test func persistentChannelDoesNotResendAfterATimeout() throws {
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            _ = connection.peerClosed()
        }
        let channel = StreamChannel.unix(
            path: server.path, oneShot: false, logger: .disabled, ioTimeoutSeconds: 0.2)
        let error = #expect(throws: RPCError.self) { try channel.send("GuestAppMonitor.Cmd.Enable") }
        channel.close()
        server.stop()
        #expect(error?.isTimeout == true)
        #expect(
            error?.detail
                == "the host did not answer within 0.2 s; "
                + "the request was sent and may still take effect if the host resumes"
        )
        #expect(server.connections == 1)
    }

    @Test func oneShotChannelDoesNotResend() throws {
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
        }
        let channel = self.channel(server, oneShot: true)
        #expect(throws: RPCError.self) { try channel.send("doomed") }
        server.stop()
        #expect(server.connections == 1)
    }

    @Test func emptyRequestIsRefusedWithoutConnecting() throws {
        let server = try ScriptedServer { _ in }
        let channel = self.channel(server, oneShot: true)
        #expect(
            throws: RPCError(
                .invalidRequest, endpoint: .unix(path: server.path),
                detail: "an empty request is never sent")
        ) {
            try channel.send([UInt8]())
        }
        server.stop()
        #expect(server.connections == 0)
    }

    @Test func sendToAClosedPeerIsASendFailureNamingSendAndErrno() throws {
        let channel = StreamChannel(
            connector: ClosedPeerConnector(), oneShot: true, logger: .disabled)
        #expect(
            throws: RPCError(
                .sendFailed, endpoint: .unix(path: "socketpair"), systemCall: "send",
                errorNumber: EPIPE)
        ) {
            try channel.send("x")
        }
        #expect(
            RPCError(.sendFailed, endpoint: .unix(path: "socketpair")).guestText
                == "VSockOut: Unable to send data for the RPCI command"
        )
    }

    @Test func missingSocketIsAnOpenFailureNamingConnectAndErrno() {
        let channel = StreamChannel.unix(
            path: "/nonexistent/guestsdk.sock", oneShot: false, logger: .disabled)
        #expect(
            throws: RPCError(
                .openFailed, endpoint: .unix(path: "/nonexistent/guestsdk.sock"),
                systemCall: "connect",
                errorNumber: ENOENT
            )
        ) {
            try channel.send("x")
        }
    }

    /// A host that stopped accepting fills its listen backlog; the timeout then also bounds the
    /// connect, which would otherwise wait for room for ever.
    @Test func hostThatStoppedAcceptingIsAnOpenFailureNamingTheTimeout() throws {
        var template = Array("/tmp/guestsdk-backlog-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/host.sock"
        let listener = try ScriptedServer.listeningSocket(at: path, backlog: 0)
        defer { close(listener) }
        // With a backlog of 0 the first connection waits in the queue and fills it.
        let waiting = StreamChannel.unix(path: path, oneShot: false, logger: .disabled)
        try waiting.open()
        defer { waiting.close() }

        let channel = StreamChannel.unix(path: path, oneShot: true, logger: .disabled, ioTimeoutSeconds: 0.2)
        #expect(
            throws: RPCError(
                .openFailed, endpoint: .unix(path: path), systemCall: "connect", errorNumber: EAGAIN,
                detail: "the host did not accept the connection within 0.2 s")
        ) {
            try channel.send("guestlib.info.get 3")
        }
    }

    @Test func overlongSocketPathIsAnOpenFailure() {
        let path = "/tmp/" + String(repeating: "p", count: 200)
        let channel = StreamChannel.unix(path: path, oneShot: true, logger: .disabled)
        #expect(
            throws: RPCError(
                .openFailed, endpoint: .unix(path: path),
                detail: "the socket path must be 1 to 107 bytes without NUL, not 205"
            )
        ) {
            try channel.send("x")
        }
    }
}

/// Hands out one end of a fresh socket pair whose other end is already closed.
final class ClosedPeerConnector: StreamConnector {
    var endpoint: Endpoint { .unix(path: "socketpair") }

    func connect() throws -> Int32 {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else {
            throw RPCError(
                .openFailed, endpoint: self.endpoint, systemCall: "socketpair", errorNumber: errno)
        }
        close(pair[1])
        return pair[0]
    }
}

/// A value shared between a test and its server thread.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) {
        self.stored = value
    }

    var value: Value {
        get {
            self.lock.lock()
            defer { self.lock.unlock() }
            return self.stored
        }
        set {
            self.lock.lock()
            self.stored = newValue
            self.lock.unlock()
        }
    }
}

extension Locked where Value == [[UInt8]] {
    func append(_ element: [UInt8]) {
        self.value = self.value + [element]
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// An RPCI channel over a stream socket: a Unix socket or a vsock connection (PROTOCOL.md §4, §15).
///
/// Each request goes out as one framed DataMap packet (field 1 = 1, field 2 =
/// the request, field 3 = 1 only in one-shot mode); the reply is read as a
/// 4-byte big-endian length and exactly that many bytes, and its field 2 must
/// carry `1 …` or `0 …`.
///
/// A one-shot channel (guestlib) connects, sends with fast close, reads the
/// reply and closes on every `send`. A persistent channel (appmonitor) keeps
/// its connection; when a send fails it closes, reconnects and resends once (§3.3),
/// except after a timeout: a stopped host may still run the request it has.
/// The channel owns its socket; it is not thread-safe.
public final class StreamChannel: RPCChannel {
    /// The largest reply body accepted by default: 16 MiB, far above any reply the host sends.
    public static let defaultMaximumReplyLength = 16 << 20
    /// Connect attempts of a persistent channel: the first and two retries (§3.2).
    static let persistentConnectAttempts = 3
    /// How many bytes past a reply's length word a one-shot channel's first `recv` may take.
    static let oneShotReadAhead = 4092

    /// True when every send uses its own connection and asks the host to close it (fast close).
    public let isOneShot: Bool
    /// The largest reply length word accepted; a larger one is an invalid reply, never an allocation.
    public let maximumReplyLength: Int

    private let connector: any StreamConnector
    private let logger: Logger
    /// The send and receive timeout; nil waits as long as the host takes.
    let ioTimeoutSeconds: Double?
    private let retriesFailedSend: Bool
    private var socket: Int32?

    /// Creates a channel that connects through `connector` on first use.
    init(
        connector: any StreamConnector, oneShot: Bool, logger: Logger,
        maximumReplyLength: Int = StreamChannel.defaultMaximumReplyLength,
        ioTimeoutSeconds: Double? = nil, retriesFailedSend: Bool? = nil
    ) {
        self.connector = connector
        self.isOneShot = oneShot
        self.logger = logger
        self.maximumReplyLength = min(
            max(maximumReplyLength, 0), PacketFramer.absoluteMaximumLength)
        self.ioTimeoutSeconds = ioTimeoutSeconds
        self.retriesFailedSend = retriesFailedSend ?? !oneShot
    }

    /// A channel to the stream Unix socket at `path`.
    ///
    /// - Parameters:
    ///   - path: the socket path, such as a VM's socket of `guestsdk-host`.
    ///   - oneShot: true for a connection per request with fast close; false to keep one connection.
    ///   - logger: receives debug entries.
    ///   - maximumReplyLength: the largest reply length word accepted.
    ///   - ioTimeoutSeconds: a send and receive timeout; nil (the default) waits as long as the host takes.
    /// - Returns: an unconnected channel; the first `send` connects.
    public static func unix(
        path: String, oneShot: Bool, logger: Logger,
        maximumReplyLength: Int = StreamChannel.defaultMaximumReplyLength,
        ioTimeoutSeconds: Double? = nil
    ) -> StreamChannel {
        StreamChannel(
            connector: UnixSocketConnector(path: path), oneShot: oneShot, logger: logger,
            maximumReplyLength: maximumReplyLength, ioTimeoutSeconds: ioTimeoutSeconds
        )
    }

    /// A channel to vsock `cid`:`port`, connected with the privileged-port algorithm of §4.2.
    ///
    /// - Parameters:
    ///   - cid: the peer context id; the hypervisor is 0.
    ///   - port: the peer port; the RPCI listener is 976.
    ///   - oneShot: true for a connection per request with fast close; false to keep one connection.
    ///   - logger: receives debug entries.
    /// - Returns: an unconnected channel; the first `send` connects.
    public static func vsock(cid: UInt32, port: UInt32, oneShot: Bool, logger: Logger)
        -> StreamChannel
    {
        StreamChannel(
            connector: VSockConnector(cid: cid, port: port, logger: logger), oneShot: oneShot,
            logger: logger
        )
    }

    deinit {
        self.close()
    }

    /// The endpoint this channel talks to.
    public var endpoint: Endpoint { self.connector.endpoint }

    /// True while the channel holds a connection.
    public var isOpen: Bool { self.socket != nil }

    /// Connects unless already connected; a persistent channel tries three times (§3.2).
    ///
    /// - Throws: `RPCError` of kind `.openFailed` naming the failed call and its errno.
    public func open() throws {
        guard self.socket == nil else { return }
        let attempts = self.isOneShot ? 1 : StreamChannel.persistentConnectAttempts
        var lastError: (any Error)?
        for _ in 0..<attempts {
            do {
                self.socket = try self.connector.connect(ioTimeoutSeconds: self.ioTimeoutSeconds)
                return
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    /// Sends `request` and returns the host's reply (the wire exchange of §4.3).
    ///
    /// - Parameter request: the request bytes; an empty request is refused without being sent.
    /// - Returns: the reply with its `1 `/`0 ` prefix interpreted.
    /// - Throws: `RPCError`: `.invalidRequest`, `.openFailed`, `.sendFailed`, `.receiveFailed` or `.invalidReply`.
    public func send(_ request: [UInt8]) throws -> RPCReply {
        let packet = try self.packet(for: request)
        if self.isOneShot {
            defer { self.close() }
            try self.open()
            return try self.exchange(packet)
        }

        try self.open()
        do {
            return try self.exchange(packet)
        } catch let error as RPCError where self.retriesFailedSend && !error.isTimeout {
            self.logger.debug(
                "send failed, reconnecting and resending once",
                ["endpoint": "\(self.endpoint)", "error": "\(error)"]
            )
            try self.open()
            return try self.exchange(packet)
        }
    }

    /// Closes the connection; the next `send` connects again.
    public func close() {
        guard let socket = self.socket else { return }
        self.socket = nil
        _ = Glibc.close(socket)
    }

    /// The framed request, or `.invalidRequest` for an empty or oversized one.
    private func packet(for request: [UInt8]) throws -> [UInt8] {
        guard !request.isEmpty else {
            throw RPCError(
                .invalidRequest, endpoint: self.endpoint, detail: "an empty request is never sent")
        }
        guard request.count <= PacketFramer.absoluteMaximumLength - 64 else {
            throw RPCError(
                .invalidRequest, endpoint: self.endpoint,
                detail: "a request of \(request.count) bytes is too long"
            )
        }
        return RPCPacket(payload: request, fastClose: self.isOneShot).encoded()
    }

    /// Sends one packet and reads one reply; any failure closes the connection.
    private func exchange(_ packet: [UInt8]) throws -> RPCReply {
        guard let socket = self.socket else {
            throw RPCError(
                .sendFailed, endpoint: self.endpoint, detail: "the channel is not connected")
        }
        do {
            try self.sendAll(packet, on: socket)
            var replyPacket: [UInt8] = []
            if self.isOneShot, let reply = try self.receiveWholeReply(orKeepBytesIn: &replyPacket, on: socket) {
                return reply
            }
            try self.receive(into: &replyPacket, count: 4, from: 0, on: socket)
            let length = try self.replyLength(replyPacket)
            if replyPacket.count > 4 + length {
                // Bytes after the reply, which one-shot reads ahead: left unread before, ignored now.
                replyPacket.removeSubrange((4 + length)...)
            }
            try self.receive(into: &replyPacket, count: length, from: 4, on: socket)
            return try replyPacket.withUnsafeBytes { try self.reply(fromPacket: $0) }
        } catch {
            self.close()
            throw error
        }
    }

    /// A one-shot channel's first read: nothing follows the reply on its connection, so one `recv` of up
    /// to 4 KiB usually brings the whole reply, which is then interpreted where it was received. When it
    /// did not, the bytes received go to `bytes` and the caller reads on; the answer is then nil.
    private func receiveWholeReply(orKeepBytesIn bytes: inout [UInt8], on socket: Int32) throws -> RPCReply? {
        try withUnsafeTemporaryAllocation(byteCount: 4 + Self.oneShotReadAhead, alignment: 4) { scratch in
            let received = try self.receiveOnce(into: scratch, on: socket, afterReceiving: 0, of: 4)
            let packet = UnsafeRawBufferPointer(rebasing: scratch[..<received])
            if packet.count >= 4 {
                let length = try self.replyLength(packet)
                if packet.count >= 4 + length {
                    return try self.reply(fromPacket: UnsafeRawBufferPointer(rebasing: packet[..<(4 + length)]))
                }
            }
            bytes.append(contentsOf: packet)
            return nil
        }
    }

    /// The length word at the start of `packet`, checked against `maximumReplyLength`.
    private func replyLength(_ packet: some Collection<UInt8>) throws -> Int {
        let length = packet.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard length <= self.maximumReplyLength else {
            throw RPCError(
                .invalidReply, endpoint: self.endpoint,
                detail: "reply length \(length) exceeds the maximum of \(self.maximumReplyLength) bytes"
            )
        }
        return length
    }

    /// Interprets a whole reply packet: field 2 must be a STRING starting `1 ` or `0 `.
    private func reply(fromPacket packet: UnsafeRawBufferPointer) throws -> RPCReply {
        let reply: RPCReply?
        if let payload = RPCPacket.commonLayoutPayload(packet, maximumLength: self.maximumReplyLength) {
            reply = RPCReply(wireBytes: payload)
        } else {
            reply = RPCReply(wireBytes: try self.payloadThroughDataMap(Array(packet)))
        }
        guard let reply else {
            throw RPCError(
                .invalidReply, endpoint: self.endpoint,
                detail: "the reply does not start with '1 ' or '0 '")
        }
        return reply
    }

    /// Field 2 of a reply packet in a layout other than the one every host writes.
    private func payloadThroughDataMap(_ packet: [UInt8]) throws -> [UInt8] {
        let map: DataMap
        do {
            map = try DataMap(decoding: packet, maximumLength: self.maximumReplyLength)
        } catch let error as DataMapError {
            throw RPCError(.invalidReply, endpoint: self.endpoint, detail: error.description)
        }
        guard case .string(let bytes) = map[RPCPacket.Field.payload] else {
            throw RPCError(
                .invalidReply, endpoint: self.endpoint, detail: "the reply has no STRING field 2")
        }
        return bytes
    }

    private func sendAll(_ bytes: [UInt8], on socket: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(
                    socket, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                let number = errno
                if number == EINTR { continue }
                throw RPCError(
                    .sendFailed, endpoint: self.endpoint, systemCall: "send", errorNumber: number,
                    detail: self.timeoutDetail(number, "the host did not take the request"))
            }
            offset += sent
        }
    }

    /// Reads from the socket until `bytes` holds `count` bytes from `start` on; reads at most 64 KiB at a
    /// time, so a lying length word costs no large allocation.
    ///
    /// - Parameters:
    ///   - bytes: what has been read so far; it receives the bytes read.
    ///   - count: how many bytes, from `start`, must be there.
    ///   - start: where the counted bytes begin (some may be there already); the end of `bytes` by default.
    ///   - socket: the connected socket.
    private func receive(into bytes: inout [UInt8], count: Int, from start: Int? = nil, on socket: Int32) throws {
        let start = start ?? bytes.count
        let end = start + count
        while bytes.count < end {
            // Into scratch memory, then appended: no zero-filled room for bytes that may never come.
            let room = min(end - bytes.count, 65536)
            try withUnsafeTemporaryAllocation(byteCount: room, alignment: 1) { scratch in
                let received = try self.receiveOnce(
                    into: scratch, on: socket, afterReceiving: bytes.count - start, of: count)
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<received]))
            }
        }
    }

    /// One `recv` into `buffer`, retried after EINTR; the end of the stream is an error.
    ///
    /// - Parameters:
    ///   - received: how many of the `expected` bytes had come before, for the error text.
    /// - Returns: how many bytes came, at least 1.
    private func receiveOnce(
        into buffer: UnsafeMutableRawBufferPointer, on socket: Int32, afterReceiving received: Int, of expected: Int
    ) throws -> Int {
        while true {
            let count = Glibc.recv(socket, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return count }
            if count == 0 {
                throw RPCError(
                    .receiveFailed, endpoint: self.endpoint,
                    detail: "the host closed the connection after \(received) of \(expected) bytes")
            }
            let number = errno
            if number == EINTR { continue }
            throw RPCError(
                .receiveFailed, endpoint: self.endpoint, systemCall: "recv", errorNumber: number,
                detail: self.timeoutDetail(
                    number, "the host did not answer",
                    then: "; the request was sent and may still take effect if the host resumes"))
        }
    }

    /// "`what` within N s`then`" when `number` is the errno a send or receive timeout ends with, else nil.
    private func timeoutDetail(_ number: Int32, _ what: String, then note: String = "") -> String? {
        guard let seconds = self.ioTimeoutSeconds, number == EAGAIN || number == EWOULDBLOCK else {
            return nil
        }
        return SocketTimeout.describe(what, within: seconds) + note
    }
}

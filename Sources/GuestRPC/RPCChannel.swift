// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A connection from the guest to its host that carries RPCI requests.
///
/// A request is a byte string such as `guestlib.info.get 3`; the reply is the
/// host's `1 ` (success) or `0 ` (failure) prefix and its payload (PROTOCOL.md §2.6).
/// Every transport carries exactly those bytes. A channel is not thread-safe:
/// its owner serialises calls.
public protocol RPCChannel: AnyObject {
    /// The endpoint this channel talks to, named in every error it throws.
    var endpoint: Endpoint { get }

    /// Sends one request and waits for the host's reply.
    ///
    /// - Parameter request: the request bytes, never empty.
    /// - Returns: the reply with its `1 `/`0 ` prefix already interpreted.
    /// - Throws: `RPCError` when the transport fails or the reply is malformed;
    ///   a host that answers `0 …` is not an error at this level.
    func send(_ request: [UInt8]) throws -> RPCReply

    /// Closes the channel; a later `send` reopens it where the transport allows.
    func close()
}

extension RPCChannel {
    /// Sends a text request, such as `GuestAppMonitor.Cmd.MarkActive`.
    public func send(_ request: String) throws -> RPCReply {
        try self.send(Array(request.utf8))
    }
}

/// The host's answer to one request.
public struct RPCReply: Equatable, Sendable {
    /// True when the host answered `1 ` (the request succeeded).
    public var succeeded: Bool

    /// The reply bytes after the two-byte prefix; binary-safe, possibly empty.
    public var payload: [UInt8]

    public init(succeeded: Bool, payload: [UInt8]) {
        self.succeeded = succeeded
        self.payload = payload
    }

    /// Interprets raw reply bytes from the wire: they must be at least two bytes
    /// long and start with `1 ` or `0 ` (PROTOCOL.md §2.6).
    ///
    /// - Returns: the reply, or nil when the bytes do not follow the convention.
    public init?(wireBytes bytes: some Collection<UInt8>) {
        guard bytes.count >= 2 else { return nil }
        let status = bytes[bytes.startIndex]
        let space = bytes[bytes.index(after: bytes.startIndex)]
        guard space == UInt8(ascii: " "), status == UInt8(ascii: "1") || status == UInt8(ascii: "0") else {
            return nil
        }
        self.succeeded = status == UInt8(ascii: "1")
        self.payload = Array(bytes.dropFirst(2))
    }

    /// A successful reply carrying `text`.
    public static func success(_ text: String) -> RPCReply {
        RPCReply(succeeded: true, payload: Array(text.utf8))
    }

    /// A failed reply carrying `text`, such as `Unknown command`.
    public static func failure(_ text: String) -> RPCReply {
        RPCReply(succeeded: false, payload: Array(text.utf8))
    }

    /// The reply as it travels on the wire: the prefix, then the payload.
    public var wireBytes: [UInt8] {
        [self.succeeded ? UInt8(ascii: "1") : UInt8(ascii: "0"), UInt8(ascii: " ")] + self.payload
    }

    /// The payload decoded as UTF-8, with invalid sequences repaired.
    public var text: String {
        String(decoding: self.payload, as: UTF8.self)
    }

    /// True when the host did not recognise the command (`0 Unknown command`).
    public var isUnknownCommand: Bool {
        !self.succeeded && self.payload == Array(RPCReply.unknownCommandText.utf8)
    }

    /// The exact text a host sends for a command it does not know.
    public static let unknownCommandText = "Unknown command"
}

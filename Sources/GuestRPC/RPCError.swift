// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Why a request could not be carried to the host and back.
///
/// Each error names the endpoint it tried and, where a system call failed, the
/// call and its errno. `guestText` is the fixed text the Guest SDK hands to a C
/// caller in place of a reply (PROTOCOL.md §2.7).
public struct RPCError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong, as a growable set of named kinds.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// The process does not run in a VMware VM and no other endpoint was chosen.
        public static let notRunningInVM = Kind("not running in a VM")
        /// The channel could not be created (no transport available for this endpoint).
        public static let channelUnavailable = Kind("channel unavailable")
        /// The channel could not be opened: connect or backdoor open failed.
        public static let openFailed = Kind("open failed")
        /// The request could not be sent.
        public static let sendFailed = Kind("send failed")
        /// The reply could not be received: the host closed the channel or an I/O error.
        public static let receiveFailed = Kind("receive failed")
        /// The reply arrived but does not follow the packet or `1 `/`0 ` conventions.
        public static let invalidReply = Kind("invalid reply")
        /// The request itself is unusable: empty, or longer than the transport allows.
        public static let invalidRequest = Kind("invalid request")

        public var description: String { self.name }
    }

    /// The transport family that produced the error, which selects the §2.7 text.
    public enum Transport: String, Sendable {
        case vsock, backdoor, channel
    }

    public var kind: Kind
    public var endpoint: Endpoint
    /// The system call that failed, if one did (`connect`, `recv`, ...).
    public var systemCall: String?
    /// The errno of `systemCall`, read right after the call.
    public var errorNumber: Int32?
    /// Extra words on what was seen, such as "host closed the connection".
    public var detail: String?

    public init(
        _ kind: Kind, endpoint: Endpoint, systemCall: String? = nil, errorNumber: Int32? = nil, detail: String? = nil
    ) {
        self.kind = kind
        self.endpoint = endpoint
        self.systemCall = systemCall
        self.errorNumber = errorNumber
        self.detail = detail
    }

    /// True when a send, a receive or a Unix connect ran out of the channel's I/O timeout.
    ///
    /// The host may be stopped rather than gone: a request it has received can still take effect
    /// when it resumes, so a timed-out request is never sent again.
    public var isTimeout: Bool {
        guard let number = self.errorNumber, self.systemCall != nil else { return false }
        return number == EAGAIN || number == EWOULDBLOCK
    }

    /// The text a Guest SDK caller sees in place of a reply (PROTOCOL.md §2.7).
    public var guestText: String {
        let transport: Transport = self.endpoint.isBackdoor ? .backdoor : .vsock
        switch (self.kind, transport) {
        case (.notRunningInVM, _), (.channelUnavailable, _): return "RpcChannel: Unable to create the RpcChannel object"
        case (.openFailed, _): return "RpcChannel: Unable to open the communication channel"
        case (.sendFailed, .backdoor), (.invalidRequest, .backdoor): return "RpcOut: Unable to send the RPCI command"
        case (.receiveFailed, .backdoor): return "RpcOut: Unable to receive the result of the RPCI command"
        case (.invalidReply, .backdoor): return "RpcOut: Invalid format for the result of the RPCI command"
        case (.receiveFailed, _): return "VSockOut: Unable to receive the result of the RPCI command"
        case (.invalidReply, _): return "VSockOut: Invalid format for the result of the RPCI command"
        default: return "VSockOut: Unable to send data for the RPCI command"
        }
    }

    public var description: String {
        var text = "\(self.kind) on \(self.endpoint)"
        if let detail = self.detail {
            text += ": \(detail)"
        }
        if let call = self.systemCall {
            text += " (\(call)"
            if let number = self.errorNumber {
                text += ": \(String(cString: strerror(number))), errno \(number)"
            }
            text += ")"
        }
        return text
    }
}

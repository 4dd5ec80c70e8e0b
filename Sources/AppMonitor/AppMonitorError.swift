// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC

/// Why an application-monitoring command failed, naming the command and the endpoint.
public struct AppMonitorError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong.
    public enum Reason: Equatable, Sendable {
        /// `GUESTSDK_RPC` is set but does not name an endpoint.
        case invalidEndpoint(EndpointError)
        /// The endpoint needs a VMware VM (`auto`, `backdoor`) and this is not one.
        case notRunningInVM
        /// The channel to the host could not be created or opened.
        case channelStartFailed(RPCError)
        /// The request or its reply was lost, also after one reopen and retry.
        case transportFailed(RPCError)
        /// The host does not know the command: it answered `0 Unknown command`.
        case notSupported
        /// The host answered code `2`: monitoring is not enabled (MarkActive before Enable).
        case notEnabled
        /// The host answered one of the other codes of §7.2 (1, 3, 4 or 5).
        case hostError(HostErrorCode)
        /// The host answered `0 <text>` with a text other than `Unknown command`.
        case hostRefused(String)
        /// The host answered `1 <text>` with a text the command does not expect.
        case unexpectedReply(String)
    }

    /// A reply code of PROTOCOL.md §7.2, the text after `1 `.
    public struct HostErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: Int

        public init(rawValue: Int) { self.rawValue = rawValue }

        /// `1`: the host failed internally.
        public static let internalError = HostErrorCode(rawValue: 1)
        /// `2`: monitoring is not enabled.
        public static let notEnabled = HostErrorCode(rawValue: 2)
        /// `3`: the command needs an argument and got none.
        public static let argumentExpected = HostErrorCode(rawValue: 3)
        /// `4`: the argument was null.
        public static let nullArgument = HostErrorCode(rawValue: 4)
        /// `5`: the argument is not one the host accepts.
        public static let badArgument = HostErrorCode(rawValue: 5)

        public var description: String {
            switch self.rawValue {
            case 1: "1 (internal error)"
            case 2: "2 (not enabled)"
            case 3: "3 (argument expected)"
            case 4: "4 (null argument)"
            case 5: "5 (bad argument)"
            default: "\(self.rawValue)"
            }
        }
    }

    /// What went wrong.
    public var reason: Reason
    /// The command that failed.
    public var command: AppMonitorCommand
    /// The endpoint the command was for; nil only when `GUESTSDK_RPC` could not be parsed.
    public var endpoint: Endpoint?

    /// Creates an error for `command` on `endpoint`.
    public init(_ reason: Reason, command: AppMonitorCommand, endpoint: Endpoint?) {
        self.reason = reason
        self.command = command
        self.endpoint = endpoint
    }

    public var description: String {
        let prefix = "\(self.command.wireName) on \(self.endpoint.map { "\($0)" } ?? "no endpoint")"
        switch self.reason {
        case .invalidEndpoint(let error):
            return "\(self.command.wireName) not sent: \(error)"
        case .notRunningInVM:
            let hint = "set \(Endpoint.environmentVariable)=unix:PATH to use a host agent"
            return "\(prefix): not running in a VMware VM (\(hint))"
        case .channelStartFailed(let error):
            return "\(prefix): cannot open the channel: \(error)"
        case .transportFailed(let error):
            return "\(prefix): transport failed: \(error)"
        case .notSupported:
            return
                "\(prefix): the host does not support application monitoring (it answered Unknown command)"
        case .notEnabled:
            return
                "\(prefix): application monitoring is not enabled (the host answered 2); run enable first"
        case .hostError(let code):
            return "\(prefix): the host answered error \(code)"
        case .hostRefused(let text):
            return "\(prefix): the host refused: \(text)"
        case .unexpectedReply(let text):
            return "\(prefix): unexpected reply '\(text)'"
        }
    }
}

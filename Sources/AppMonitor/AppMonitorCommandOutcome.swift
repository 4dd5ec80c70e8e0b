// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC

/// What became of one command at the level the C ABI sees it (PROTOCOL.md §7.2):
/// the raw result before any interpretation of the reply text.
///
/// `AppMonitor.send(_:argument:)` returns it. The C entry points map it with
/// `libraryErrorCode`, `isEnabledFlag` and `appStatusBytes`; the Swift API maps
/// it to `AppMonitorError`.
public enum AppMonitorCommandOutcome: Equatable, Sendable {
    /// The endpoint needs a VMware VM (`auto`, `backdoor`) and CPUID reports none (§1).
    case notRunningInVM
    /// The channel could not be created or started; `error` says why
    /// (`channelStartFailed` or `invalidEndpoint`).
    case channelStartFailed(AppMonitorError)
    /// The RPC failed: the host answered `0 …` (`text` is the stripped reply,
    /// `transportError` nil) or the transport failed after one reopen and retry
    /// (`text` is the §2.7 guest text, `transportError` the cause).
    case rpcFailed(text: [UInt8], transportError: RPCError?)
    /// The host answered `1 …`; `reply` is the stripped reply, verbatim and binary-safe.
    case succeeded(reply: [UInt8])

    /// The `VMGuestAppMonitorLibError` value of PROTOCOL.md §7.2 for Enable,
    /// Disable, MarkActive and PostAppState.
    ///
    /// - Returns: 2 not in a VM, 3 the channel could not be started, 4 the host
    ///   answered exactly `Unknown command`, 0 a success whose reply is exactly `0`,
    ///   1 anything else (including the host codes `1` to `5` and transport failures).
    public var libraryErrorCode: Int32 {
        switch self {
        case .notRunningInVM: 2
        case .channelStartFailed: 3
        case .rpcFailed(let text, _): text == Array(RPCReply.unknownCommandText.utf8) ? 4 : 1
        case .succeeded(let reply): reply == [UInt8(ascii: "0")] ? 0 : 1
        }
    }

    /// The `VMGuestAppMonitor_IsEnabled` result: true only for a success whose reply is exactly
    /// `true`.
    public var isEnabledFlag: Bool {
        guard case .succeeded(let reply) = self else { return false }
        return reply == Array("true".utf8)
    }

    /// The `VMGuestAppMonitor_GetAppStatus` result: the verbatim reply of a
    /// success, or nil on any error or when the reply is empty.
    public var appStatusBytes: [UInt8]? {
        guard case .succeeded(let reply) = self, !reply.isEmpty else { return nil }
        return reply
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC

extension AppMonitor {
    /// Turns application monitoring on for this VM and keeps the channel open
    /// until a successful `disable` (`GuestAppMonitor.Cmd.Enable`).
    ///
    /// - Throws: `AppMonitorError`.
    public func enable() throws {
        try self.expectZero(.enable)
    }

    /// Turns application monitoring off and closes the kept channel
    /// (`GuestAppMonitor.Cmd.Disable`).
    ///
    /// - Throws: `AppMonitorError`; the channel stays open when disabling fails.
    public func disable() throws {
        try self.expectZero(.disable)
    }

    /// Sends one heartbeat (`GuestAppMonitor.Cmd.MarkActive`).
    ///
    /// - Throws: `AppMonitorError`, with reason `notEnabled` when monitoring is off.
    public func markActive() throws {
        try self.expectZero(.markActive)
    }

    /// Posts an application state; needs no `enable` (`GuestAppMonitor.Cmd.PostAppState <state>`).
    ///
    /// - Parameter state: sent verbatim, such as `appStateNeedReset`.
    /// - Throws: `AppMonitorError`, with `hostError(.badArgument)` for a state the host does not
    ///   know.
    public func postAppState(_ state: AppState) throws {
        try self.expectZero(.postAppState, argument: Array(state.rawValue.utf8))
    }

    /// Asks the host whether application monitoring is on (`GuestAppMonitor.Cmd.IsEnabled`).
    ///
    /// - Returns: true for the reply `true`, false for `false`.
    /// - Throws: `AppMonitorError`, with `unexpectedReply` for any other reply.
    public func isEnabled() throws -> Bool {
        let reply = try self.successfulReply(.isEnabled)
        switch reply {
        case "true": return true
        case "false": return false
        default: throw self.replyError(reply, command: .isEnabled)
        }
    }

    /// Asks the host for the application heartbeat status (`GuestAppMonitor.Cmd.GetAppStatus`).
    ///
    /// - Returns: the status, parsed case-insensitively, with the host's text kept verbatim.
    /// - Throws: `AppMonitorError`, with `unexpectedReply` for an empty reply.
    public func appStatus() throws -> AppStatus {
        let reply = try self.successfulReply(.getAppStatus)
        guard !reply.isEmpty else { throw self.replyError(reply, command: .getAppStatus) }
        return AppStatus(text: reply)
    }

    /// Sends `command` and requires the reply `0`.
    private func expectZero(_ command: AppMonitorCommand, argument: [UInt8]? = nil) throws {
        let reply = try self.successfulReply(command, argument: argument)
        guard reply == "0" else { throw self.replyError(reply, command: command) }
    }

    /// Sends `command` and returns the text of a `1 …` reply; throws for everything else.
    private func successfulReply(
        _ command: AppMonitorCommand, argument: [UInt8]? = nil
    ) throws -> String {
        switch self.send(command, argument: argument) {
        case .notRunningInVM:
            throw AppMonitorError(.notRunningInVM, command: command, endpoint: self.endpoint)
        case .channelStartFailed(let error):
            throw error
        case .rpcFailed(let text, let transportError?):
            _ = text
            throw AppMonitorError(
                .transportFailed(transportError), command: command, endpoint: self.endpoint)
        case .rpcFailed(let text, nil):
            let reply = String(decoding: text, as: UTF8.self)
            let reason: AppMonitorError.Reason =
                reply == RPCReply.unknownCommandText ? .notSupported : .hostRefused(reply)
            throw AppMonitorError(reason, command: command, endpoint: self.endpoint)
        case .succeeded(let reply):
            return String(decoding: reply, as: UTF8.self)
        }
    }

    /// The error for a `1 <reply>` that is not what `command` expects: a §7.2 code or an unexpected
    /// text.
    private func replyError(_ reply: String, command: AppMonitorCommand) -> AppMonitorError {
        let reason: AppMonitorError.Reason
        switch Int(reply) {
        case 2?: reason = .notEnabled
        case let code? where (1...5).contains(code):
            reason = .hostError(AppMonitorError.HostErrorCode(rawValue: code))
        default: reason = .unexpectedReply(reply)
        }
        return AppMonitorError(reason, command: command, endpoint: self.endpoint)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC

/// Answers `GuestAppMonitor.Cmd.*` from the guests on behalf of the HA engine (PROTOCOL.md §7.1,
/// §13 #8, §15).
///
/// Register it with `router.register(prefix: AppMonitorService.commandPrefix, to: service)`.
/// Replies: `1 0` for a successful `Enable`, `Disable`, `MarkActive` or `PostAppState`; `1 true`/`1
/// false` for `IsEnabled`; `1 green`/`1 red`/`1 gray` for `GetAppStatus`; `1 2` for `MarkActive`
/// while not enabled; `1 3` for `PostAppState` without an argument, `1 4` for the `(null)` a C
/// caller's NULL state turns into, `1 5` for any other unknown state or an argument where none is
/// expected. A command without argument may carry one trailing space. An unknown command, a VM the
/// engine does not know, and a VM configured without app monitoring get `0 Unknown command`.
public final class AppMonitorService: RPCService {
    /// The prefix every command of this service starts with.
    public static let commandPrefix = "GuestAppMonitor.Cmd."

    private let engine: HAEngine

    /// Creates the service in front of `engine`.
    public init(engine: HAEngine) {
        self.engine = engine
    }

    public func handle(_ request: RPCRequest) -> RPCReply {
        let command = request.command
        guard command.hasPrefix(Self.commandPrefix) else {
            return .failure(RPCReply.unknownCommandText)
        }
        let name = command.dropFirst(Self.commandPrefix.count)
        let argument = Self.trimmingTrailingSpaces(request.argumentText)
        let vm = request.vmName
        do {
            switch name {
            case "Enable", "Disable", "MarkActive", "IsEnabled", "GetAppStatus":
                guard argument.isEmpty else {
                    _ = try self.engine.isEnabled(vmNamed: vm)
                    return .success(Code.badArgument)
                }
                return try self.handleWithoutArgument(String(name), vm: vm)
            case "PostAppState":
                _ = try self.engine.isEnabled(vmNamed: vm)
                guard !argument.isEmpty else { return .success(Code.argumentExpected) }
                guard argument != "(null)" else { return .success(Code.nullArgument) }
                guard let state = AppState(postedArgument: argument) else {
                    return .success(Code.badArgument)
                }
                try self.engine.postAppState(state, vmNamed: vm)
                return .success(Code.ok)
            default:
                return .failure(RPCReply.unknownCommandText)
            }
        } catch let error as HAEngineError where error.code == .notEnabled {
            return .success(Code.notEnabled)
        } catch {
            return .failure(RPCReply.unknownCommandText)
        }
    }

    private func handleWithoutArgument(_ name: String, vm: String) throws -> RPCReply {
        switch name {
        case "Enable":
            try self.engine.enable(vmNamed: vm)
        case "Disable":
            try self.engine.disable(vmNamed: vm)
        case "MarkActive":
            try self.engine.markActive(vmNamed: vm)
        case "IsEnabled":
            return .success(try self.engine.isEnabled(vmNamed: vm) ? "true" : "false")
        default:
            return .success(try self.engine.appStatus(vmNamed: vm).wireText)
        }
        return .success(Code.ok)
    }

    private static func trimmingTrailingSpaces(_ text: String) -> String {
        var text = Substring(text)
        while text.last == " " { text.removeLast() }
        return String(text)
    }

    /// The reply codes of PROTOCOL.md §7.2.
    private enum Code {
        static let ok = "0"
        static let notEnabled = "2"
        static let argumentExpected = "3"
        static let nullArgument = "4"
        static let badArgument = "5"
    }
}

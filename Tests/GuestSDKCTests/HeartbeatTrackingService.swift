// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC
import HostAgent
import Synchronization

/// Answers `GuestAppMonitor.Cmd.*` as the host's application-monitoring service does
/// (PROTOCOL.md §13 #8, §15) and keeps each VM's app status: gray until enabled,
/// green after a heartbeat while enabled, gray again after disable.
///
/// FIXME: a stand-in for HostAgent's `AppMonitorService` in front of the HA engine, which
/// is on the haengine branch and conflicts with hoststats' `Clock.swift`; once both are on
/// main, the fixture should register `AppMonitorService(engine:)` and read the engine's state.
final class HeartbeatTrackingService: RPCService, Sendable {
    static let commandPrefix = "GuestAppMonitor.Cmd."

    private struct VMState {
        var isEnabled = false
        var status = "gray"
        var postedStates: [String] = []
    }

    private let states = Mutex<[String: VMState]>([:])

    /// VM `name`'s app status as the host reports it: `green`, `red` or `gray`.
    func status(ofVM name: String) -> String {
        self.states.withLock { $0[name]?.status ?? "gray" }
    }

    /// The app states VM `name` posted, oldest first.
    func postedStates(ofVM name: String) -> [String] {
        self.states.withLock { $0[name]?.postedStates ?? [] }
    }

    func handle(_ request: RPCRequest) -> RPCReply {
        let name = request.command.dropFirst(Self.commandPrefix.count)
        let argument = request.argumentText
        return self.states.withLock { states in
            var state = states[request.vmName] ?? VMState()
            defer { states[request.vmName] = state }
            switch name {
            case "Enable":
                state.isEnabled = true
                return .success("0")
            case "Disable":
                state.isEnabled = false
                state.status = "gray"
                return .success("0")
            case "MarkActive":
                guard state.isEnabled else { return .success("2") }
                state.status = "green"
                return .success("0")
            case "IsEnabled":
                return .success(state.isEnabled ? "true" : "false")
            case "GetAppStatus":
                return .success(state.status)
            case "PostAppState":
                guard !argument.isEmpty else { return .success("3") }
                guard ["appStateOk", "appStateNeedReset"].contains(argument) else { return .success("5") }
                state.postedStates.append(argument)
                return .success("0")
            default:
                return .failure(RPCReply.unknownCommandText)
            }
        }
    }
}

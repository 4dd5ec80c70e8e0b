// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// A host agent running in the test process: an `RPCServer` on a temporary state
/// directory serving one VM, `vm1`, whose `GuestAppMonitor.Cmd.*` requests go to
/// a small service answering like PROTOCOL.md §15 on a manual clock.
final class TestHost: @unchecked Sendable {
    static let vmName = "vm1"

    let stateDirectory: String
    let server: RPCServer
    let service = InTestAppMonitorService()
    let router = Router()

    init() throws {
        let template = "/tmp/guestsdk-appmon-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = bytes.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        self.stateDirectory = String(cString: made)
        self.server = RPCServer(configuration: .init(stateDirectory: self.stateDirectory), logger: .disabled)
        self.router.register(prefix: "GuestAppMonitor.Cmd.", to: self.service)
        try self.server.addVM(VMEndpointConfiguration(name: TestHost.vmName), router: self.router)
    }

    deinit {
        self.server.stop()
        try? FileManager.default.removeItem(atPath: self.stateDirectory)
    }

    /// The VM's socket.
    var socketPath: String { self.server.socketPath(forVM: TestHost.vmName) }

    /// The endpoint a guest uses: `unix:<socket>`.
    var endpoint: Endpoint { .unix(path: self.socketPath) }

    /// The environment that points a tool at this host.
    var environment: [String: String] { ["GUESTSDK_RPC": "unix:\(self.socketPath)"] }

    /// The VM's app status as the host shows it: `gray`, `green` or `red`.
    var status: String { self.service.status }

    /// True while the VM's monitoring is enabled.
    var isEnabled: Bool { self.service.isEnabled }

    /// `MarkActive` requests the host honoured.
    var heartbeats: Int { self.service.heartbeats }

    /// The last app state posted: `none`, `appStateOk` or `appStateNeedReset`.
    var appState: String { self.service.appState }

    /// Moves the host's clock forward.
    func advance(seconds: Int) {
        self.service.advance(seconds: seconds)
    }

    /// Makes the host answer `0 Unknown command` to every application-monitoring command.
    func withdrawSupport() {
        self.service.isSupported = false
    }

    /// Stops serving the VM (closing its connections) and serves it again on the same path.
    func restartEndpoint() throws {
        self.server.removeVM(named: TestHost.vmName)
        try self.server.addVM(VMEndpointConfiguration(name: TestHost.vmName), router: self.router)
    }
}

/// The application-monitoring answers of PROTOCOL.md §15 for one VM with a
/// 30 s failure interval on a manual clock, for tests of the guest side.
final class InTestAppMonitorService: RPCService, @unchecked Sendable {
    static let failureInterval = 30

    private let lock = NSLock()
    private var now = 0
    private var lastHeartbeat = 0
    private var enabled = false
    private var heartbeatCount = 0
    private var postedState = "none"
    private var supported = true

    var isSupported: Bool {
        get { self.lock.withLock { self.supported } }
        set { self.lock.withLock { self.supported = newValue } }
    }

    var isEnabled: Bool { self.lock.withLock { self.enabled } }
    var heartbeats: Int { self.lock.withLock { self.heartbeatCount } }
    var appState: String { self.lock.withLock { self.postedState } }
    var status: String { self.lock.withLock { self.currentStatus } }

    private var currentStatus: String {
        guard self.enabled else { return "gray" }
        return self.now - self.lastHeartbeat >= Self.failureInterval ? "red" : "green"
    }

    func advance(seconds: Int) {
        self.lock.withLock { self.now += seconds }
    }

    func handle(_ request: RPCRequest) -> RPCReply {
        self.lock.withLock {
            guard self.supported else { return .failure(RPCReply.unknownCommandText) }
            switch request.command {
            case "GuestAppMonitor.Cmd.Enable":
                self.enabled = true
                self.lastHeartbeat = self.now
                return .success("0")
            case "GuestAppMonitor.Cmd.Disable":
                self.enabled = false
                return .success("0")
            case "GuestAppMonitor.Cmd.MarkActive":
                guard self.enabled else { return .success("2") }
                self.lastHeartbeat = self.now
                self.heartbeatCount += 1
                return .success("0")
            case "GuestAppMonitor.Cmd.IsEnabled":
                return .success(self.enabled ? "true" : "false")
            case "GuestAppMonitor.Cmd.GetAppStatus":
                return .success(self.currentStatus)
            case "GuestAppMonitor.Cmd.PostAppState":
                switch request.argumentText.lowercased() {
                case "": return .success("3")
                case "appstateok", "ok": self.postedState = "appStateOk"
                case "appstateneedreset", "needreset": self.postedState = "appStateNeedReset"
                default: return .success("5")
                }
                return .success("0")
            default:
                return .failure(RPCReply.unknownCommandText)
            }
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// A host agent running in the test process: an `RPCServer` on a temporary state
/// directory serving one VM, `vm1`, whose `GuestAppMonitor.Cmd.*` requests go to
/// the HA engine's `AppMonitorService` on a manual clock. The VM has been up for
/// an hour and monitors applications with the vSphere defaults (30 s failure
/// interval, 120 s minimum uptime, 3 resets, no window).
final class TestHost: @unchecked Sendable {
    static let vmName = "vm1"

    let stateDirectory: String
    let server: RPCServer
    let clock = ManualClock()
    let events = InMemoryEventSink()
    let engine: HAEngine
    let router = Router()

    init() throws {
        let template = "/tmp/guestsdk-appmon-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = bytes.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        self.stateDirectory = String(cString: made)
        self.engine = HAEngine(clock: self.clock, sink: self.events)
        try self.engine.addVM(
            named: TestHost.vmName, settings: HASettings(vmMonitoring: .vmAndAppMonitoring),
            uptime: .seconds(3600)
        )
        self.router.register(
            prefix: AppMonitorService.commandPrefix, to: AppMonitorService(engine: self.engine))
        self.server = RPCServer(
            configuration: .init(stateDirectory: self.stateDirectory), logger: .disabled)
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

    private var state: HAVMState { self.engine.state(ofVM: TestHost.vmName)! }

    /// The VM's app status as the guest reads it: `gray`, `green` or `red`.
    var status: String { self.state.status.wireText }

    /// True while the VM's monitoring is enabled.
    var isEnabled: Bool { self.state.isEnabled }

    /// `MarkActive` requests the host honoured.
    var heartbeats: Int { Int(self.state.heartbeatsReceived) }

    /// The last app state posted: `none`, `appStateOk` or `appStateNeedReset`.
    var appState: String { self.state.appState.rawValue }

    /// Resets done so far.
    var resetsDone: Int { Int(self.state.resetsDone) }

    /// The names of the VM's events so far, such as `enabled` or `reset-started`, without
    /// `vm-added`.
    var eventNames: [String] {
        self.events.events(forVM: TestHost.vmName).map(\.kind.name).filter { $0 != "vm-added" }
    }

    /// Moves the host's clock forward, firing the engine's deadlines.
    func advance(seconds: Int) {
        self.clock.advance(by: Duration.seconds(seconds))
    }

    /// Makes the host answer `0 Unknown command` to every application-monitoring command.
    func withdrawSupport() throws {
        try self.engine.setAppMonitoringSupported(false, forVM: TestHost.vmName)
    }

    /// Stops serving the VM (closing its connections) and serves it again on the same path.
    func restartEndpoint() throws {
        self.server.removeVM(named: TestHost.vmName)
        try self.server.addVM(VMEndpointConfiguration(name: TestHost.vmName), router: self.router)
    }
}

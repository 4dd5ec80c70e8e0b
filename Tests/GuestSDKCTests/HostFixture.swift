// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// A host agent in this process: the RPC server on a temporary state directory,
/// with the statistics service and the HA engine's application-monitoring
/// service, serving each VM on its own Unix socket. C programs reach it with
/// `GUESTSDK_RPC=unix:<socket>`. The clock stands still, so every update reads
/// the same counters and no heartbeat deadline passes during a test.
final class HostFixture {
    let server: RPCServer
    let statistics: GuestLibService
    let engine: HAEngine
    let router = Router()
    let stateDirectory: URL

    init() throws {
        self.stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "guestsdkc-host-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: self.stateDirectory, withIntermediateDirectories: true)
        self.server = RPCServer(
            configuration: RPCServer.Configuration(stateDirectory: self.stateDirectory.path), logger: .disabled)
        let clock = ManualClock()
        self.statistics = GuestLibService(clock: clock, sessionIDs: { 0x1234_5678_9ABC_DEF0 })
        self.statistics.register(on: self.router)
        self.engine = HAEngine(clock: clock, sink: InMemoryEventSink())
        self.router.register(prefix: AppMonitorService.commandPrefix, to: AppMonitorService(engine: self.engine))
    }

    deinit {
        self.stop()
    }

    /// Stops serving and removes the state directory; `defer { host.stop() }` also keeps the host alive
    /// until the end of a test.
    func stop() {
        self.server.stop()
        try? FileManager.default.removeItem(at: self.stateDirectory)
    }

    /// Serves VM `name` with `configuration`, with VM and application monitoring on (high sensitivity).
    ///
    /// - Returns: the VM's socket path.
    @discardableResult
    func addVM(
        _ name: String, configuration: VMStatisticsConfiguration = VMStatisticsConfiguration()
    ) throws -> String {
        self.statistics.addVM(named: name, configuration: configuration)
        try self.engine.addVM(named: name, settings: .preset(.high))
        try self.server.addVM(VMEndpointConfiguration(name: name), router: self.router)
        return self.server.socketPath(forVM: name)
    }

    /// VM `name`'s app status as the HA engine holds it: `green`, `red` or `gray`.
    func appStatus(ofVM name: String) -> String {
        self.engine.state(ofVM: name)?.status.wireText ?? "unknown VM"
    }

    /// The app state VM `name` last posted, as vSphere names it.
    func appState(ofVM name: String) -> String {
        self.engine.state(ofVM: name)?.appState.rawValue ?? "unknown VM"
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// A host agent in this process: the RPC server on a temporary state directory,
/// with the statistics service and an application-monitoring service, serving
/// each VM on its own Unix socket. C programs reach it with `GUESTSDK_RPC=unix:<socket>`.
final class HostFixture {
    let server: RPCServer
    let statistics: GuestLibService
    let appMonitor: HeartbeatTrackingService
    let router = Router()
    let stateDirectory: URL

    /// Starts a host whose clock stands still, so every update reads the same counters.
    init() throws {
        self.stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "guestsdkc-host-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: self.stateDirectory, withIntermediateDirectories: true)
        self.server = RPCServer(
            configuration: RPCServer.Configuration(stateDirectory: self.stateDirectory.path), logger: .disabled)
        self.statistics = GuestLibService(clock: ManualClock(), sessionIDs: { 0x1234_5678_9ABC_DEF0 })
        self.statistics.register(on: self.router)
        self.appMonitor = HeartbeatTrackingService()
        self.router.register(prefix: HeartbeatTrackingService.commandPrefix, to: self.appMonitor)
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

    /// Serves VM `name` with `configuration`.
    ///
    /// - Returns: the VM's socket path.
    @discardableResult
    func addVM(
        _ name: String, configuration: VMStatisticsConfiguration = VMStatisticsConfiguration()
    ) throws -> String {
        self.statistics.addVM(named: name, configuration: configuration)
        try self.server.addVM(VMEndpointConfiguration(name: name), router: self.router)
        return self.server.socketPath(forVM: name)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import GuestLib
import GuestRPC
import HostAgent
import Testing

/// A `HostDaemon` in this process on a manual clock, in its own temporary state directory, with
/// guest clients that reach its VMs' sockets.
final class DaemonFixture {
    /// Application monitoring on, 30 s interval, no minimum uptime, 3 resets, no window.
    static let fastSettings = HASettings(
        vmMonitoring: .vmAndAppMonitoring, failureInterval: 30, minUpTime: 0, maxFailures: 3, maxFailureWindow: -1)

    let directory: String
    let clock: ManualClock
    let log = InMemoryLog()
    private(set) var daemon: HostDaemon
    private var isStopped = false

    /// Starts a daemon serving `vms` (one VM named `vm1` by default), each VM holding at most
    /// `maximumConnectionsPerVM` guest connections.
    init(
        vms: [VMDefinition] = [VMDefinition(name: "vm1", settings: DaemonFixture.fastSettings, preset: nil)],
        maximumConnectionsPerVM: Int = RPCServer.Configuration.defaultMaximumConnectionsPerVM
    ) throws {
        self.directory = try Self.makeTemporaryDirectory()
        self.clock = ManualClock()
        var configuration = HostConfiguration(stateDirectory: self.directory)
        configuration.vms = vms
        configuration.resetDelaySeconds = 1
        self.daemon = try Self.makeDaemon(
            configuration, clock: self.clock, log: self.log, maximumConnectionsPerVM: maximumConnectionsPerVM)
        try self.daemon.start()
    }

    /// Takes over the state directory of a fixture whose daemon "crashed" (was never stopped).
    init(restartingAfterCrashOf crashed: DaemonFixture, clock: ManualClock) throws {
        crashed.isStopped = true
        crashed.daemon.rpcServer.stop()
        crashed.daemon.eventSink.close()
        self.directory = crashed.directory
        self.clock = clock
        var configuration = HostConfiguration(stateDirectory: self.directory)
        configuration.resetDelaySeconds = 1
        self.daemon = try Self.makeDaemon(configuration, clock: clock, log: self.log)
        try self.daemon.start()
    }

    deinit {
        self.stop()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    /// Stops the daemon (a clean stop).
    func stop() {
        guard !self.isStopped else { return }
        self.isStopped = true
        self.daemon.stop()
    }

    /// The socket path of VM `name`.
    func socket(_ name: String = "vm1") -> String {
        self.daemon.rpcServer.socketPath(forVM: name)
    }

    /// A guestlib handle on VM `name`'s socket; each request gives up after `timeout` seconds.
    func guestLibHandle(_ name: String = "vm1", timeout: Double = 5) throws -> GuestLibHandle {
        let path = self.socket(name)
        return try GuestLibHandle(
            endpoint: .unix(path: path), isVMwareGuest: { false },
            makeChannel: { _ in
                StreamChannel.unix(path: path, oneShot: true, logger: .disabled, ioTimeoutSeconds: timeout)
            })
    }

    /// An app monitor on VM `name`'s socket; each request gives up after `timeout` seconds.
    func appMonitor(_ name: String = "vm1", timeout: Double = 5) -> AppMonitor {
        let path = self.socket(name)
        return AppMonitor(
            endpoint: .unix(path: path), isRunningInVMware: { false },
            makeChannel: { _, _ in
                StreamChannel.unix(path: path, oneShot: false, logger: .disabled, ioTimeoutSeconds: timeout)
            })
    }

    /// A control client with the daemon's token, or with `token` when given.
    func controlClient(token: String? = nil) throws -> ControlClient {
        let port = try #require(self.daemon.controlPort)
        return ControlClient(port: port, token: token ?? self.daemon.token.value)
    }

    /// Sends a fault through the control API, as `guestsdk-host ctl fault` does.
    @discardableResult
    func inject(_ body: String, into vm: String = "vm1") throws -> [String: Any] {
        let response = try self.controlClient().send("POST", "/v1/vms/\(vm)/faults", body: Data(body.utf8))
        #expect(response.status == 200, "\(response.text)")
        return try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    }

    /// The VM's status through the control API.
    func status(_ vm: String = "vm1") throws -> [String: Any] {
        let response = try self.controlClient().send("GET", "/v1/vms/\(vm)")
        #expect(response.status == 200, "\(response.text)")
        return try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    }

    /// Requests the server answered for VM `name` so far.
    func requestCount(_ name: String = "vm1") -> Int {
        self.daemon.rpcServer.statistics.requestsByVM[name] ?? 0
    }

    private static func makeDaemon(
        _ configuration: HostConfiguration, clock: ManualClock, log: InMemoryLog,
        maximumConnectionsPerVM: Int = RPCServer.Configuration.defaultMaximumConnectionsPerVM
    ) throws -> HostDaemon {
        try HostDaemon(
            configuration: configuration,
            options: HostDaemon.Options(
                clock: clock, logger: log.logger(label: "daemon", minimumLevel: .info),
                maximumConnectionsPerVM: maximumConnectionsPerVM))
    }

    /// A new directory under /tmp with a short path, so socket paths fit `sockaddr_un`.
    static func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/gsd-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw TestClientError.call("mkdtemp") }
        return String(cString: created)
    }
}

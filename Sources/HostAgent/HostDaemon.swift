// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation
import GuestRPC

/// The host agent as a long-running daemon: VMs from a config file and the control API, state in
/// SQLite that survives a restart, and a loopback control API.
///
/// `start()` opens the state, resumes every stored VM (an enabled VM counts the restart as its
/// last heartbeat, so no red is declared before a full failure interval), serves each VM's
/// socket and starts the control API. Every VM change and event is committed to the state store
/// before it is acted on. `stop()` shuts down in the reverse order. Other components hook in
/// through `httpRouter` (routes), `eventSink.addObserver` (events) and
/// `Options.requestObserver` (RPC latencies).
public final class HostDaemon: @unchecked Sendable {
    /// How the daemon is run, beyond its configuration file.
    public struct Options: Sendable {
        /// The clock; the real one by default, a scaled or manual one for tests and demos.
        public var clock: any Clock
        /// Receives one line per state change, with key=value fields.
        public var logger: Logger
        /// Called after every answered RPC request, for latency metrics.
        public var requestObserver: (@Sendable (RPCServer.RequestRecord) -> Void)?
        /// How often heartbeat times are written to the store, in real seconds.
        public var heartbeatFlushInterval: Double
        /// The config file to read again on `reload()`, if any.
        public var configurationFile: String?
        /// A state directory given on the command line, which wins over the file's on reload.
        public var stateDirectoryOverride: String?
        /// A control port given on the command line, which wins over the file's on reload.
        public var controlPortOverride: UInt16?
        /// The most guest connections one VM may hold open; more are closed at once and counted.
        public var maximumConnectionsPerVM: Int

        /// Creates options.
        public init(
            clock: any Clock = SystemClock(), logger: Logger = .disabled,
            requestObserver: (@Sendable (RPCServer.RequestRecord) -> Void)? = nil,
            heartbeatFlushInterval: Double = 2, configurationFile: String? = nil,
            stateDirectoryOverride: String? = nil, controlPortOverride: UInt16? = nil,
            maximumConnectionsPerVM: Int = RPCServer.Configuration.defaultMaximumConnectionsPerVM
        ) {
            self.clock = clock
            self.logger = logger
            self.requestObserver = requestObserver
            self.heartbeatFlushInterval = heartbeatFlushInterval
            self.configurationFile = configurationFile
            self.stateDirectoryOverride = stateDirectoryOverride
            self.controlPortOverride = controlPortOverride
            self.maximumConnectionsPerVM = maximumConnectionsPerVM
        }
    }

    /// A VM the daemon serves: its definition and who defined it.
    struct ServedVM {
        var definition: VMDefinition
        var origin: StoredVM.Origin
    }

    /// The state directory's database, token and port file live here.
    public var stateDirectory: String { self.configuration.stateDirectory }
    /// The configuration as last loaded.
    public internal(set) var configuration: HostConfiguration
    /// The clock every timing decision reads.
    public let clock: any Clock
    /// The state that survives restarts.
    public let store: StateStore
    /// The HA engine.
    public let engine: HAEngine
    /// Commits the engine's events; add observers to see them after their commit.
    public let eventSink: StoreEventSink
    /// The guest statistics service.
    public let guestLib: GuestLibService
    /// Serves each VM's socket.
    public let rpcServer: RPCServer
    /// The control API's routes; other components add theirs (such as `/metrics`).
    public let httpRouter: HTTPRouter
    /// The control API's token.
    public let token: ControlToken
    /// The agent's version, reported by `/v1/agent` and `--version`.
    public static let version = "0.1.0"

    /// When this run started.
    public let startedAt = Date()

    let options: Options
    let logger: Logger
    let lock = NSLock()
    let router = Router()
    let resetActions = PerVMResetAction()
    var served: [String: ServedVM] = [:]
    var tally = ResetTally()
    let tallyLock = NSLock()
    /// Serialises reloads (SIGHUP and the API may ask at once).
    let reloadLock = NSLock()
    private var controlServer: ControlHTTPServer?
    private var flushTimer: DispatchSourceTimer?
    private var flushedHeartbeats: [String: Date] = [:]
    private let flushQueue = DispatchQueue(label: "guestsdk.daemon.flush")

    /// Opens the state directory: creates it (mode 0711: each VM's user may reach its own socket in
    /// `vms/`, nobody else may list it), the token and the database (both mode 0600).
    ///
    /// - Parameters:
    ///   - configuration: the configuration.
    ///   - options: the clock, logger and hooks.
    /// - Throws: `StateStoreError`, `DatabaseError` or `ControlTokenError`.
    public init(configuration: HostConfiguration, options: Options = Options()) throws {
        self.configuration = configuration
        self.options = options
        self.clock = options.clock
        self.logger = options.logger
        try Self.makeStateDirectory(configuration.stateDirectory)
        self.token = try ControlToken.loadOrCreate(inDirectory: configuration.stateDirectory)
        self.store = try StateStore(directory: configuration.stateDirectory, durability: configuration.durability)
        self.eventSink = StoreEventSink(store: self.store, logger: options.logger)
        self.engine = HAEngine(
            clock: options.clock, sink: self.eventSink, resetAction: self.resetActions,
            configuration: HAEngine.Configuration(
                resetDelay: .milliseconds(Int64(configuration.resetDelaySeconds * 1000))),
            logger: options.logger)
        self.guestLib = GuestLibService(clock: options.clock, logger: options.logger)
        self.rpcServer = RPCServer(
            configuration: RPCServer.Configuration(
                stateDirectory: configuration.stateDirectory,
                maximumConnectionsPerVM: options.maximumConnectionsPerVM, requestObserver: options.requestObserver),
            logger: options.logger)
        self.httpRouter = HTTPRouter(token: self.token)
        self.router.register(prefix: AppMonitorService.commandPrefix, to: AppMonitorService(engine: self.engine))
        self.guestLib.register(on: self.router)
        self.eventSink.addObserver { [weak self] event in
            guard let self else { return }
            self.tallyLock.withLock { self.tally.count(event) }
        }
        ControlAPI.register(on: self.httpRouter, daemon: self)
    }

    /// Resumes the stored VMs, applies the configuration's VMs, serves them and starts the
    /// control API.
    ///
    /// - Throws: what opening a VM's socket or the control port throws; VMs already started stay
    ///   served, so call `stop()`.
    public func start() throws {
        let previous = try self.store.beginRun()
        try self.tallyLock.withLock { try self.tally.load(from: self.store) }
        self.logger.notice(
            "starting",
            [
                "stateDirectory": self.stateDirectory, "run": "\(self.store.run)",
                "previousRun": previous.map { $0.stoppedCleanly ? "clean" : "crashed" } ?? "none",
            ])
        try self.resumeStoredVMs()
        try self.applyConfigurationVMs(self.configuration.vms)
        if self.configuration.vsock { try self.rpcServer.startVsockListener() }
        let control = try ControlHTTPServer(
            addresses: self.configuration.control.addresses, port: self.configuration.control.port,
            clock: self.clock, logger: self.logger
        ) { [weak self] request in
            self?.httpRouter.respond(to: request) ?? .error(HTTPError(status: 503, message: "stopping"))
        }
        self.controlServer = control
        try Self.writeAtomically(
            "\(control.port)\n", to: self.stateDirectory + "/" + ControlClient.portFileName)
        self.startHeartbeatFlush()
        self.logger.notice(
            "started",
            [
                "vms": "\(self.vmNames.count)", "control": "http://127.0.0.1:\(control.port)/",
                "addresses": control.addresses.joined(separator: ","),
            ])
    }

    /// The control API's port, once started.
    public var controlPort: UInt16? {
        self.lock.withLock { self.controlServer?.port }
    }

    /// Stops serving: the control API, every VM socket, the heartbeat flush; records a clean stop.
    public func stop() {
        let control = self.lock.withLock {
            defer { self.controlServer = nil }
            return self.controlServer
        }
        control?.stop()
        _ = unlink(self.stateDirectory + "/" + ControlClient.portFileName)
        self.flushTimer?.cancel()
        self.flushQueue.sync { self.flushHeartbeats() }
        self.rpcServer.stop()
        self.eventSink.close()
        do {
            try self.store.endRun()
        } catch {
            self.logger.error("could not record the clean stop", ["error": "\(error)"])
        }
        self.logger.notice("stopped", ["run": "\(self.store.run)"])
    }

    /// The names of the VMs served, sorted.
    public var vmNames: [String] {
        self.lock.withLock { self.served.keys.sorted() }
    }

    /// The definition of a served VM.
    public func definition(ofVM name: String) -> VMDefinition? {
        self.lock.withLock { self.served[name]?.definition }
    }

    // MARK: Heartbeat times

    private func startHeartbeatFlush() {
        let timer = DispatchSource.makeTimerSource(queue: self.flushQueue)
        let interval = max(0.05, self.options.heartbeatFlushInterval)
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.flushHeartbeats() }
        self.flushTimer = timer
        timer.resume()
    }

    /// Writes the heartbeat times that moved since the last flush, in one transaction.
    func flushHeartbeats() {
        let now = self.clock.now
        var changed: [String: Date] = [:]
        for (name, age) in self.engine.timesSinceLastHeartbeat() {
            let date = now.addingTimeInterval(-age.totalSeconds)
            if let last = self.flushedHeartbeats[name], abs(last.timeIntervalSince(date)) < 0.5 { continue }
            changed[name] = date
        }
        do {
            try self.store.saveHeartbeats(changed)
            self.flushedHeartbeats.merge(changed) { $1 }
        } catch {
            self.logger.error("could not write heartbeat times", ["vms": "\(changed.count)", "error": "\(error)"])
        }
    }

    // MARK: Files

    static func makeStateDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        } catch {
            throw StateStoreError.stateDirectory(path: path, reason: "\(error.localizedDescription)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StateStoreError.stateDirectory(path: path, reason: "is not a directory")
        }
    }

    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw StateStoreError.stateDirectory(path: path, reason: "cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            let error = errno
            throw StateStoreError.stateDirectory(
                path: path, reason: "rename failed: \(String(cString: strerror(error))) (errno \(error))")
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// The host side of the RPC channel: a Unix socket per VM and a vsock listener for KVM guests.
///
/// Each VM gets `<state-dir>/vms/<name>.sock` (mode 0600, owned by the VM's
/// configured user) and its own `Router`; a request reaches its services as an
/// `RPCRequest` naming the VM. Over vsock the peer's CID names the VM. Both
/// transports carry the framing of PROTOCOL.md §4.3 and are served by the same
/// connection code: a few libuv event loops, each on its own thread, never a thread
/// per connection. A VM's listener and its connections share one loop, so a request
/// that arrives with its connection is answered on the thread that accepted it.
/// A bad packet closes only its own connection, with one log line.
///
/// ```swift
/// let configuration = RPCServer.Configuration(stateDirectory: "/var/lib/guestsdk")
/// let server = RPCServer(configuration: configuration, logger: logger)
/// try server.addVM(VMEndpointConfiguration(name: "web01"), router: router)
/// // guests connect to /var/lib/guestsdk/vms/web01.sock
/// server.stop()
/// ```
public final class RPCServer: @unchecked Sendable {
    /// Settings shared by every VM the server serves.
    public struct Configuration: Sendable {
        /// The agent's state directory; sockets go in its `vms` subdirectory.
        public var stateDirectory: String
        /// The largest packet body accepted; a longer length word closes the connection.
        public var maximumPacketLength: Int
        /// The vsock port `startVsockListener()` listens on.
        public var vsockPort: UInt32
        /// How many event loops (threads) share the connections: each VM's listener and connections
        /// use one, VMs taking them in turn; vsock connections take them in turn one by one.
        public var loopCount: Int
        /// The most connections one VM may hold open; more are closed as soon as they are accepted.
        ///
        /// A guest cannot exhaust the agent's descriptors and lock every other VM out. The default,
        /// 1024, is far above what a guest needs (one kept AppMonitor connection and one short
        /// connection per guestlib update in flight) and a small share of a 20,000-descriptor limit.
        public var maximumConnectionsPerVM: Int
        /// The default `maximumConnectionsPerVM`.
        public static let defaultMaximumConnectionsPerVM = 1024
        /// Called after every answered request, on the connection's loop thread, for latency metrics.
        public var requestObserver: (@Sendable (RequestRecord) -> Void)?

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - stateDirectory: the agent's state directory.
        ///   - maximumPacketLength: the largest packet body accepted; 64 KiB by default.
        ///   - vsockPort: the vsock listener's port; 976, the RPCI port, by default.
        ///   - loopCount: the number of event loops (threads) serving connections; 2 by default.
        ///   - maximumConnectionsPerVM: the most connections one VM may hold open; 1024 by default.
        ///   - requestObserver: called after every answered request.
        public init(
            stateDirectory: String, maximumPacketLength: Int = PacketFramer.defaultMaximumLength,
            vsockPort: UInt32 = 976, loopCount: Int = 2,
            maximumConnectionsPerVM: Int = Configuration.defaultMaximumConnectionsPerVM,
            requestObserver: (@Sendable (RequestRecord) -> Void)? = nil
        ) {
            self.stateDirectory = stateDirectory
            self.maximumPacketLength = maximumPacketLength
            self.vsockPort = vsockPort
            self.loopCount = max(1, loopCount)
            self.maximumConnectionsPerVM = max(1, maximumConnectionsPerVM)
            self.requestObserver = requestObserver
        }
    }

    /// The reply text for a request the secure channel refuses.
    public static let permissionDeniedText = "Permission denied"

    /// The settings this server was created with.
    public let configuration: Configuration

    let lock = NSLock()
    var counters = Statistics()
    let logger: Logger
    private let loops: [EventLoop]
    private var nextLoopIndex = 0
    private var endpoints: [String: Endpoint] = [:]
    private var vmNamesByCID: [UInt32: String] = [:]
    private var vsockListener: ListeningSocket?
    /// The request counts of removed VMs, which `statistics` still reports; a VM added again under
    /// the same name counts on in its old tally, so there is at most one tally per name.
    private var retiredRequestTallies: [String: RequestTally] = [:]

    /// One served VM: its settings, router, listener and open connections.
    ///
    /// Its listener and connections hold it, so that accepting and closing a connection find it
    /// without looking its name up; its mutable state is read and changed under the server's lock.
    final class Endpoint {
        let configuration: VMEndpointConfiguration
        let context: VMContext
        /// The loop of the VM's listener, which serves its Unix connections.
        let loop: EventLoop
        /// Set once, right after the endpoint is created (the listener's handler holds the endpoint).
        var listener: ListeningSocket?
        var connections: [ObjectIdentifier: RPCConnection] = [:]
        /// True from the first connection refused at the limit until the VM drops below it again.
        var isAtConnectionLimit = false
        /// True once `removeVM` took the endpoint out of `endpoints`: it accepts no connection more.
        var isRemoved = false
        /// True while the loop serves a connection it has counted but not listed: one just accepted,
        /// being read once and, when its whole one-shot request came with it, answered without an
        /// `RPCConnection` (`serveOnListenerLoop`). It counts against the limit like a listed one.
        var hasUnlistedConnection = false
        /// Set when the VM's connections were dropped on the loop's own thread (by the service
        /// answering the unlisted connection's request): its reply is not sent. Loop thread only.
        var unlistedConnectionWasDroppedOnLoop = false
        /// Set when they were dropped from another thread meanwhile: the connection closes at the end
        /// of this turn of the loop, as a listed one would. Under the server's lock.
        var unlistedConnectionWasDroppedElsewhere = false

        init(configuration: VMEndpointConfiguration, context: VMContext, loop: EventLoop) {
            self.configuration = configuration
            self.context = context
            self.loop = loop
        }
    }

    /// Creates a server that serves no VM yet.
    ///
    /// - Parameters:
    ///   - configuration: the state directory and limits.
    ///   - logger: receives one line per bad packet, VM change and warning, with key=value fields.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.loops = (0..<configuration.loopCount).map { EventLoop(name: "guestsdk-rpc-\($0)") }
    }

    deinit {
        self.stop()
        self.loops.forEach { $0.stop() }
    }

    /// The socket path of the VM named `name`: `<state-dir>/vms/<name>.sock`.
    public func socketPath(forVM name: String) -> String {
        self.configuration.stateDirectory + "/vms/" + name + ".sock"
    }

    /// The names of the VMs served now, sorted.
    public var vmNames: [String] {
        self.lock.withLock { self.endpoints.keys.sorted() }
    }

    /// Starts serving a VM on its own socket, replacing a stale socket file left by an earlier run.
    ///
    /// The VM is served as soon as this returns; requests run on the server's event loop
    /// threads, so a service should answer promptly (a slow one delays other connections
    /// sharing its loop).
    ///
    /// - Parameters:
    ///   - vm: the VM's name, socket owner and channel settings.
    ///   - router: answers the VM's requests; several VMs may share one router and tell
    ///     each other apart by `RPCRequest.vmName`.
    /// - Throws: `RPCServerError` when the name is invalid or taken, the CID is claimed,
    ///   or the socket cannot be created.
    public func addVM(_ vm: VMEndpointConfiguration, router: Router) throws {
        guard vm.hasValidName else { throw RPCServerError(.invalidVMName, subject: vm.name) }
        let path = self.socketPath(forVM: vm.name)
        try self.lock.withLock {
            guard self.endpoints[vm.name] == nil else {
                throw RPCServerError(.duplicateVM, subject: vm.name)
            }
            if let cid = vm.vsockCID, let owner = self.vmNamesByCID[cid] {
                throw RPCServerError(
                    .duplicateCID, subject: "CID \(cid) of \(vm.name) belongs to \(owner)")
            }
            try self.createSocketDirectory()
            let descriptor = try ListeningSocket.makeUnixListener(path: path, owner: vm.socketOwner)
            let context = VMContext(
                name: vm.name, router: router, enforcesSecureChannel: vm.enforcesSecureChannel,
                faults: FaultPlanBox(),
                requests: self.retiredRequestTallies.removeValue(forKey: vm.name) ?? RequestTally())
            // The VM's connections are served on the loop that accepts them: no thread hop
            // between accepting a connection and answering its first request.
            let loop = self.nextLoop()
            let endpoint = Endpoint(configuration: vm, context: context, loop: loop)
            endpoint.listener = ListeningSocket(
                descriptor: descriptor, loop: loop, logger: self.logger,
                onAccept: { [weak self, weak endpoint] connected, _ in
                    guard let self, let endpoint else {
                        _ = close(connected)
                        return
                    }
                    self.serveOnListenerLoop(connected, endpoint: endpoint, peer: .unix(descriptor: connected))
                }
            )
            self.endpoints[vm.name] = endpoint
            if let cid = vm.vsockCID { self.vmNamesByCID[cid] = vm.name }
        }
        if vm.secureChannel && vm.faultTolerant {
            self.logger.warning(
                "secure channel ignored: vSphere supports only the non-secure channel for fault-tolerant VMs",
                ["vm": vm.name]
            )
        }
        self.logger.info(
            "serving VM",
            [
                "vm": vm.name, "socket": path, "secureChannel": "\(vm.enforcesSecureChannel)",
                "uid": "\(vm.socketOwner.userID)",
            ]
        )
    }

    /// Stops serving a VM: closes its listener and connections (returning once no connection of it
    /// answers any more) and removes its socket file.
    ///
    /// - Parameter name: the VM's name; an unknown name does nothing.
    // FIXME: called from a service (on a loop's thread) for a VM whose listener or connections are
    // on another loop, this waits for that loop, as `dropConnections` and `stop` do; two services
    // doing so towards each other's loops at once would deadlock. Nothing in the agent does it
    // today. Handing the closes over without waiting when called on a loop's thread (connections
    // would then close a turn later) would remove the hazard.
    public func removeVM(named name: String) {
        let removed: Endpoint? = self.lock.withLock {
            guard let endpoint = self.endpoints.removeValue(forKey: name) else { return nil }
            endpoint.isRemoved = true
            self.retiredRequestTallies[name] = endpoint.context.requests
            if let cid = endpoint.configuration.vsockCID { self.vmNamesByCID[cid] = nil }
            // Under the lock: a VM of the same name added as soon as the lock is free binds a new
            // socket file at the same path, which must not be unlinked with the old one.
            _ = unlink(self.socketPath(forVM: name))
            return endpoint
        }
        guard let removed else { return }
        // A connection accepted meanwhile finds the VM gone, or was listed and is closed below; the
        // listening descriptor is closed before this returns.
        removed.listener?.cancelAndWait()
        // Accepting has stopped and no connection joins a removed endpoint: the list is final.
        let (connections, unlisted) = self.lock.withLock { self.takeConnectionsToClose(of: removed) }
        RPCConnection.closeAndWait(connections)
        self.logger.info(
            "stopped serving VM", ["vm": name, "connectionsClosed": "\(connections.count + unlisted)"])
    }

    /// Every VM's request count, removed VMs' included, each name once; call it with the lock held.
    func requestTalliesLocked() -> [(vmName: String, count: Int)] {
        self.endpoints.values.map { ($0.context.name, $0.context.requests.count) }
            + self.retiredRequestTallies.map { ($0.key, $0.value.count) }
    }

    /// Closes every open connection of a VM, as a host that drops its guests' connections does;
    /// the VM stays served and guests may connect again.
    ///
    /// - Parameter name: the VM's name.
    /// - Returns: how many connections were closed.
    @discardableResult
    public func dropConnections(ofVM name: String) -> Int {
        let (connections, unlisted) = self.lock.withLock {
            self.endpoints[name].map { self.takeConnectionsToClose(of: $0) } ?? ([], 0)
        }
        RPCConnection.closeAndWait(connections)
        let closed = connections.count + unlisted
        if closed > 0 {
            self.logger.info("dropped connections", ["vm": name, "connectionsClosed": "\(closed)"])
        }
        return closed
    }

    /// The fault plan holder of a served VM.
    func faultPlanBox(forVM name: String) -> FaultPlanBox? {
        self.lock.withLock { self.endpoints[name]?.context.faults }
    }

    /// Listens on vsock (`AF_VSOCK`, any CID, `configuration.vsockPort`) for KVM guests.
    ///
    /// A connection is served as the VM whose `vsockCID` is the peer's CID; a peer
    /// with an unknown CID is closed with a log line. Its privilege is its source
    /// port: below 1024 is privileged.
    ///
    /// - Throws: `RPCServerError` when vsock is unavailable or the port is taken.
    public func startVsockListener() throws {
        try self.lock.withLock {
            guard self.vsockListener == nil else {
                throw RPCServerError(
                    .alreadyListening, subject: "vsock port \(self.configuration.vsockPort)")
            }
            let descriptor = try VsockAddress.makeListener(port: self.configuration.vsockPort)
            self.vsockListener = ListeningSocket(
                descriptor: descriptor, loop: self.loops[0], logger: self.logger,
                onAccept: { [weak self] connected, address in
                    guard let self else {
                        _ = close(connected)
                        return
                    }
                    self.serveVsock(connected, peerAddress: Array(address))
                }
            )
        }
        self.logger.info("listening on vsock", ["port": "\(self.configuration.vsockPort)"])
    }

    /// Stops every listener and closes every connection; socket files are removed.
    public func stop() {
        let listener = self.lock.withLock {
            defer { self.vsockListener = nil }
            return self.vsockListener
        }
        listener?.cancel()
        for name in self.vmNames {
            self.removeVM(named: name)
        }
    }

    /// Creates `<state-dir>/vms` with mode 0755, so each VM's user can reach its own socket.
    private func createSocketDirectory() throws {
        try Self.makeDirectory(self.configuration.stateDirectory + "/vms")
    }

    private static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        let error = errno
        if error == EEXIST { return }
        let parent = (path as NSString).deletingLastPathComponent
        guard error == ENOENT, !parent.isEmpty, parent != path else {
            throw RPCServerError(
                .systemCallFailed, subject: path, systemCall: "mkdir", errorNumber: error)
        }
        try makeDirectory(parent)
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw ListeningSocket.systemError("mkdir", path)
        }
    }

    /// Serves a vsock connection as the VM with the peer's CID, or closes it for an unknown CID.
    func serveVsock(_ descriptor: Int32, peerAddress: [UInt8]) {
        guard let (cid, port) = VsockAddress.decode(peerAddress) else {
            _ = close(descriptor)
            return
        }
        let name = self.lock.withLock { self.vmNamesByCID[cid] }
        guard let name else {
            self.logger.warning(
                "closing vsock connection from an unknown CID",
                ["reason": "unknown-cid", "peer": "vsock:\(cid):\(port)"]
            )
            _ = close(descriptor)
            return
        }
        self.serve(descriptor, vmName: name, peer: .vsock(cid: cid, port: port))
    }

    /// Serves an accepted connection as the VM named `vmName`, or closes it when the VM is gone
    /// or already holds `maximumConnectionsPerVM` connections.
    ///
    /// - Parameters:
    ///   - descriptor: the connected socket, now owned by the connection.
    ///   - vmName: the VM the connection belongs to.
    ///   - peer: who connected.
    ///   - loop: the loop that serves the connection, nil to take the next in turn. Called on that
    ///     loop's thread (a VM's listener runs on its VM's loop), the connection starts here without
    ///     a hop to another thread and answers a request that came with it at once.
    // FIXME: there is no idle timeout: a guest that connects and never sends holds a descriptor
    // until it disconnects or its VM is removed, up to the per-VM limit. A per-connection idle
    // timer (longer than the AppMonitor heartbeat interval) would remove the gap.
    func serve(_ descriptor: Int32, vmName: String, peer: RPCPeer, on loop: EventLoop? = nil) {
        guard let endpoint = self.lock.withLock({ self.endpoints[vmName] }) else {
            _ = close(descriptor)
            return
        }
        self.serve(descriptor, endpoint: endpoint, peer: peer, on: loop)
    }

    /// Serves an accepted connection as `endpoint`'s VM, or closes it when the VM has been removed
    /// or already holds `maximumConnectionsPerVM` connections; as `serve(_:vmName:peer:on:)`.
    private func serve(_ descriptor: Int32, endpoint: Endpoint, peer: RPCPeer, on loop: EventLoop?) {
        var admission = Admission.vmRemoved
        let connection: RPCConnection? = self.lock.withLock {
            admission = self.countNewConnection(of: endpoint)
            guard case .admitted = admission else { return nil }
            // Listed in the same step as it is counted: removing the VM or dropping its connections
            // closes it from now on, even while it answers the request that came with it.
            let connection = RPCConnection(
                descriptor: descriptor, vm: endpoint.context, peer: peer,
                maximumPacketLength: self.configuration.maximumPacketLength,
                loop: loop ?? self.nextLoop(), logger: self.logger, server: self, endpoint: endpoint
            )
            endpoint.connections[ObjectIdentifier(connection)] = connection
            return connection
        }
        guard let connection else {
            _ = close(descriptor)
            if case .refused(logsLimit: true) = admission { self.logConnectionLimit(of: endpoint, peer: peer) }
            return
        }
        self.logger.debug("connection accepted", ["vm": endpoint.context.name, "peer": peer.description])
        // On its own loop's thread the connection starts here, without a hop to another thread.
        if connection.loop.isCurrent {
            connection.start()
        } else {
            connection.loop.execute { connection.start() }
        }
    }

    /// The next event loop in turn; call it with the lock held.
    private func nextLoop() -> EventLoop {
        let loop = self.loops[self.nextLoopIndex % self.loops.count]
        self.nextLoopIndex &+= 1
        return loop
    }

    /// Forgets a closed connection.
    func connectionDidClose(_ connection: RPCConnection) {
        let open = self.lock.withLock {
            self.counters.connectionsOpen -= 1
            if let endpoint = connection.endpoint {
                endpoint.connections[ObjectIdentifier(connection)] = nil
                endpoint.isAtConnectionLimit = false
            }
            return self.counters.connectionsOpen
        }
        self.logger.debug(
            "connection closed",
            ["vm": connection.vm.name, "peer": connection.peer.description, "connectionsOpen": "\(open)"])
    }
}

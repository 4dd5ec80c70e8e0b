// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import GuestRPC

/// What one `read` of a connected socket returned.
struct SocketRead {
    /// The bytes read into the buffer, 0 at end of stream, or -1 after an error.
    let count: Int
    /// The errno of a failed read, 0 otherwise.
    let errorNumber: Int32

    /// Reads once into `buffer`, again after EINTR.
    static func read(_ descriptor: Int32, into buffer: UnsafeMutableBufferPointer<UInt8>) -> SocketRead {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return SocketRead(count: count, errorNumber: 0) }
            let error = errno
            if error != EINTR { return SocketRead(count: -1, errorNumber: error) }
        }
    }
}

extension RPCServer {
    /// Serves a connection its VM's listener has just accepted, on the listener's loop thread.
    ///
    /// A guestlib update is one connection, one fast-close request, one reply. When the whole
    /// request came with the connection, it is answered straight from the loop's read buffer and
    /// the connection closed, without a connection object, framer or watcher; anything else (a
    /// request still on its way or in pieces, a kept connection, a bad packet, a fault plan at
    /// work) goes to an `RPCConnection`, which takes the bytes already read. Both count, limit,
    /// log, observe and drop the connection alike.
    func serveOnListenerLoop(_ descriptor: Int32, endpoint: Endpoint, peer: RPCPeer) {
        guard self.admit(descriptor, endpoint: endpoint, peer: peer) else { return }
        self.logger.debug("connection accepted", ["vm": endpoint.context.name, "peer": peer.description])
        let buffer = endpoint.loop.readBuffer
        let firstRead = SocketRead.read(descriptor, into: buffer)

        let bytes = UnsafeBufferPointer(rebasing: buffer[..<max(firstRead.count, 0)])
        if firstRead.count < buffer.count,
            let packet = Self.wholeOneShotRequest(
                bytes, maximumLength: self.configuration.maximumPacketLength, vm: endpoint.context)
        {
            self.answerUnlisted(packet, descriptor: descriptor, endpoint: endpoint, peer: peer)
            return
        }
        self.list(descriptor, endpoint: endpoint, peer: peer) { $0.start(after: firstRead) }
    }

    /// Counts an accepted connection as open and unlisted, or closes it when the VM is gone or at
    /// its connection limit (logging when the limit is first reached).
    ///
    /// - Returns: false when the connection was closed.
    private func admit(_ descriptor: Int32, endpoint: Endpoint, peer: RPCPeer) -> Bool {
        let admission = self.lock.withLock {
            let admission = self.countNewConnection(of: endpoint)
            if case .admitted = admission { endpoint.hasUnlistedConnection = true }
            return admission
        }
        if case .admitted = admission { return true }

        _ = close(descriptor)
        if case .refused(logsLimit: true) = admission { self.logConnectionLimit(of: endpoint, peer: peer) }
        return false
    }

    /// What became of a new connection at its VM's door.
    enum Admission {
        /// Counted as accepted and open.
        case admitted
        /// The VM has been removed.
        case vmRemoved
        /// Refused at the VM's connection limit; `logsLimit` when the limit was just reached.
        case refused(logsLimit: Bool)
    }

    /// Counts a new connection of `endpoint` as accepted and open, or as refused when the VM holds
    /// `maximumConnectionsPerVM` connections (an unlisted one included). Call it with the lock held.
    func countNewConnection(of endpoint: Endpoint) -> Admission {
        guard !endpoint.isRemoved else { return .vmRemoved }
        let open = endpoint.connections.count + (endpoint.hasUnlistedConnection ? 1 : 0)
        guard open < self.configuration.maximumConnectionsPerVM else {
            self.counters.connectionsRefused += 1
            defer { endpoint.isAtConnectionLimit = true }
            return .refused(logsLimit: !endpoint.isAtConnectionLimit)
        }
        self.counters.connectionsAccepted += 1
        self.counters.connectionsOpen += 1
        return .admitted
    }

    /// The request in `bytes` when they are exactly one well-formed fast-close packet and `vm`'s
    /// fault plan leaves requests alone; nil sends the bytes down the general path (framer and all).
    static func wholeOneShotRequest(
        _ bytes: UnsafeBufferPointer<UInt8>, maximumLength: Int, vm: VMContext
    ) -> RPCPacket? {
        let maximumLength = min(maximumLength, PacketFramer.absoluteMaximumLength)
        guard bytes.count >= 4 else { return nil }
        let length = UnsafeRawBufferPointer(bytes).loadUnaligned(as: UInt32.self).bigEndian
        guard Int(length) <= maximumLength, 4 + Int(length) == bytes.count,
            let packet = RPCPacket(commonLayout: UnsafeRawBufferPointer(bytes), maximumLength: maximumLength)
                ?? (try? RPCPacket(decoding: Array(bytes), maximumLength: maximumLength)),
            packet.fastClose
        else { return nil }
        let plan = vm.faults.plan
        guard !plan.isHung, plan.replyDelay == .zero else { return nil }
        return packet
    }

    /// Answers the one-shot request of an unlisted connection, sends the reply and closes it.
    ///
    /// A reply the socket does not take at once is left to an `RPCConnection`, as is closing after it.
    private func answerUnlisted(_ packet: RPCPacket, descriptor: Int32, endpoint: Endpoint, peer: RPCPeer) {
        let reply = Self.answer(packet.payload, vm: endpoint.context, peer: peer, server: self)
        // A service on this thread that dropped its own VM's connections closed this one first.
        if !endpoint.unlistedConnectionWasDroppedOnLoop {
            let sent = ReplyPacket.send(reply, on: descriptor)
            if sent.written >= 0, sent.written < ReplyPacket.packetSize(of: reply) {
                let rest = ReplyPacket.bytes(of: reply, from: sent.written)
                self.list(descriptor, endpoint: endpoint, peer: peer) { $0.start(sendingBeforeClosing: rest) }
                return
            }
            if sent.written < 0 {
                self.logger.debug(
                    "closing connection after a write error",
                    ["vm": endpoint.context.name, "peer": peer.description, "errno": "\(sent.errorNumber)"]
                )
            }
        }
        let open = self.lock.withLock {
            self.counters.connectionsOpen -= 1
            self.forgetUnlistedConnection(of: endpoint)
            endpoint.isAtConnectionLimit = false
            return self.counters.connectionsOpen
        }
        self.logger.debug(
            "connection closed", ["vm": endpoint.context.name, "peer": peer.description, "connectionsOpen": "\(open)"])
        _ = close(descriptor)
    }

    /// Lists the unlisted connection under its VM as an `RPCConnection` and starts it with `start`;
    /// if the VM's connections were dropped from another thread meanwhile, it closes at the end of
    /// the start, when that drop would have closed it.
    private func list(
        _ descriptor: Int32, endpoint: Endpoint, peer: RPCPeer, start: (RPCConnection) -> Void
    ) {
        let (connection, wasDropped) = self.lock.withLock {
            let wasDropped = endpoint.unlistedConnectionWasDroppedElsewhere
            self.forgetUnlistedConnection(of: endpoint)
            let connection = RPCConnection(
                descriptor: descriptor, vm: endpoint.context, peer: peer,
                maximumPacketLength: self.configuration.maximumPacketLength,
                loop: endpoint.loop, logger: self.logger, server: self, endpoint: endpoint
            )
            endpoint.connections[ObjectIdentifier(connection)] = connection
            return (connection, wasDropped)
        }
        start(connection)
        if wasDropped { connection.shutDown() }
    }

    /// Clears the unlisted connection's marks; call it with the lock held.
    private func forgetUnlistedConnection(of endpoint: Endpoint) {
        endpoint.hasUnlistedConnection = false
        endpoint.unlistedConnectionWasDroppedOnLoop = false
        endpoint.unlistedConnectionWasDroppedElsewhere = false
    }

    /// The listed connections of `endpoint` to close, and 1 for an unlisted one (marked dropped), or 0.
    ///
    /// Call it with the lock held.
    func takeConnectionsToClose(of endpoint: Endpoint) -> (listed: [RPCConnection], unlisted: Int) {
        let listed = Array(endpoint.connections.values)
        guard endpoint.hasUnlistedConnection else { return (listed, 0) }
        if endpoint.loop.isCurrent {
            endpoint.unlistedConnectionWasDroppedOnLoop = true
        } else {
            endpoint.unlistedConnectionWasDroppedElsewhere = true
        }
        return (listed, 1)
    }

    /// Logs that `endpoint`'s VM holds as many connections as it may.
    func logConnectionLimit(of endpoint: Endpoint, peer: RPCPeer) {
        self.logger.warning(
            "closing new connections: the VM holds as many as it may",
            [
                "vm": endpoint.context.name, "reason": "connection-limit", "peer": peer.description,
                "limit": "\(self.configuration.maximumConnectionsPerVM)",
            ]
        )
    }

    /// Answers one request through the VM's router, or with `0 Permission denied` when the secure
    /// channel refuses the peer; counts it and tells the request observer.
    ///
    /// The command and the timing of `RequestRecord` are only worked out when an observer wants them.
    ///
    /// - Parameters:
    ///   - payload: the request bytes.
    ///   - vm: the VM whose router answers.
    ///   - peer: who asked.
    ///   - server: the server that counts and observes the request; nil once it is gone.
    /// - Returns: the reply.
    static func answer(_ payload: [UInt8], vm: VMContext, peer: RPCPeer, server: RPCServer?) -> RPCReply {
        let request = RPCRequest(vmName: vm.name, bytes: payload, peerIsPrivileged: peer.isPrivileged)
        let observer = server?.configuration.requestObserver
        let start = observer == nil ? nil : ContinuousClock.now
        let refused = vm.enforcesSecureChannel && !peer.isPrivileged
        let reply = refused ? RPCReply.failure(RPCServer.permissionDeniedText) : vm.router.route(request)
        server?.countRequest(of: vm, wasRefused: refused)
        if let observer, let start {
            observer(
                RequestRecord(
                    vmName: vm.name, command: request.command, succeeded: reply.succeeded,
                    wasRefused: refused, duration: ContinuousClock.now - start
                ))
        }
        return reply
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Glibc
import GuestRPC

/// What a connection needs to know about the VM it serves.
struct VMContext: Sendable {
    let name: String
    let router: Router
    let enforcesSecureChannel: Bool
    let faults: FaultPlanBox
}

/// Serves one connected stream socket, Unix or vsock: framed requests in, replies out.
///
/// Everything runs on one serial queue: a read source feeds the framer, each
/// whole packet is answered through the VM's router, and replies go to an
/// output buffer that a write source drains when the socket is full. While
/// output is pending the read source is suspended, so a peer that does not
/// read its replies cannot make the buffer grow. The descriptor is closed
/// once both sources have been cancelled, or at once when the connection ended
/// before it needed one (a fast-close request that came with the connection).
final class RPCConnection: @unchecked Sendable {
    /// The size of one `read` from the socket.
    private static let readChunkSize = 16384
    /// How many reads one turn on the queue makes before letting other connections run.
    private static let readsPerTurn = 4

    let vm: VMContext
    let peer: RPCPeer
    private let descriptor: Int32
    private let queue: DispatchQueue
    private let logger: Logger
    private weak var server: RPCServer?

    private var framer: PacketFramer
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    /// A duplicate of `descriptor` that only the write source watches (see `waitUntilWritable`).
    private var writeDescriptor: Int32 = -1
    private var isReadSuspended = false
    private var isWriteSuspended = false
    private var liveSourceCount = 0
    private var closesAfterFlush = false
    /// True once the connection has shut down; read it on the connection's queue.
    private(set) var isClosed = false
    /// True while a request waits out the fault plan's reply delay; reading is paused meanwhile.
    private var isWaitingOutDelay = false

    /// Takes ownership of `descriptor`, a connected non-blocking socket; `start()` serves it.
    init(
        descriptor: Int32, vm: VMContext, peer: RPCPeer, maximumPacketLength: Int,
        queue: DispatchQueue, logger: Logger, server: RPCServer
    ) {
        self.descriptor = descriptor
        self.vm = vm
        self.peer = peer
        self.framer = PacketFramer(maximumLength: maximumPacketLength)
        self.queue = queue
        self.logger = logger
        self.server = server
    }

    /// Serves the connection; call it on the connection's queue.
    ///
    /// A request that arrived with the connection is answered at once, before any source
    /// exists: a one-shot (fast close) exchange then ends here without a read source, which
    /// saves Dispatch's registration, event and cancellation round trips through its event
    /// thread. Otherwise a read source watches for the next request.
    func start() {
        guard !self.isClosed else { return }
        self.readAvailable()
        guard !self.isClosed else { return }
        let source = DispatchSource.makeReadSource(fileDescriptor: self.descriptor, queue: self.queue)
        source.setEventHandler { self.readAvailable() }
        source.setCancelHandler { self.sourceCancelled() }
        self.readSource = source
        self.liveSourceCount += 1
        // A created source starts suspended: it stays so while a reply waits for the socket to
        // drain or out its fault-plan delay, and `flush()` resumes it.
        if self.outputOffset < self.output.count || self.isWaitingOutDelay {
            self.isReadSuspended = true
        } else {
            source.resume()
        }
    }

    /// Closes the connection from another queue, such as when its VM is removed.
    func close() {
        self.queue.async { self.shutDown() }
    }

    /// Closes the connection and returns once it is shut down, so that no request arriving
    /// afterwards is answered on it. Never call it on the connection's own queue.
    func closeAndWait() {
        dispatchPrecondition(condition: .notOnQueue(self.queue))
        self.queue.sync { self.shutDown() }
    }

    /// Reads until the socket has nothing more (or a few chunks, then yields the queue).
    ///
    /// Dispatch on Linux reports a peer's hangup once and then forgets the descriptor, so data
    /// and the end of stream that arrive together must both be read in this one call; stopping
    /// after the data would leave the connection open for ever.
    private func readAvailable() {
        for _ in 0..<Self.readsPerTurn {
            guard !self.isClosed, !self.isReadSuspended else { return }
            let chunkSize = Self.readChunkSize
            let count = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunkSize) { buffer in
                let count = Glibc.read(self.descriptor, buffer.baseAddress, buffer.count)
                if count > 0 { self.framer.append(UnsafeBufferPointer(rebasing: buffer[..<count])) }
                return count
            }
            if count > 0 {
                self.answerBufferedPackets()
                self.flush()
                continue
            }
            if count == 0 {
                if self.logger.minimumLevel <= .debug {
                    self.logger.debug(
                        "peer closed the connection", ["vm": self.vm.name, "peer": self.peer.description])
                }
                self.shutDown()
                return
            }
            let error = errno
            if error == EINTR { continue }
            guard error != EAGAIN && error != EWOULDBLOCK else { return }
            self.logger.warning(
                "closing connection after a read error",
                [
                    "vm": self.vm.name, "reason": "read-error", "peer": self.peer.description,
                    "errno": "\(error)",
                ]
            )
            self.shutDown()
            return
        }
        // More may be waiting: read it after the other connections on this queue had a turn.
        self.queue.async { self.readAvailable() }
    }

    /// Answers every whole packet buffered, stopping after a fast-close request or a bad packet.
    ///
    /// The VM's fault plan is read before each request: a hung host drops the request unanswered,
    /// a delaying host answers it after the delay with reading paused meanwhile.
    private func answerBufferedPackets() {
        while !self.closesAfterFlush && !self.isWaitingOutDelay {
            let packet: RPCPacket
            do {
                guard let bytes = try self.framer.nextPacket() else { return }
                packet = try RPCPacket(decoding: bytes, maximumLength: self.framer.maximumLength)
            } catch {
                self.reject(reason: BadPacketReason(error), detail: "\(error)")
                return
            }
            let plan = self.vm.faults.plan
            if plan.isHung {
                self.logger.debug("fault plan: request left unanswered", ["vm": self.vm.name])
                continue
            }
            if plan.replyDelay > .zero {
                self.answer(packet, after: plan.replyDelay)
                return
            }
            self.respond(to: packet)
        }
    }

    private func respond(to packet: RPCPacket) {
        let reply = self.answer(packet.payload)
        self.output += RPCPacket(payload: reply.wireBytes).encoded()
        self.closesAfterFlush = packet.fastClose
    }

    /// Answers `packet` after `delay`, reading nothing else meanwhile, then carries on.
    private func answer(_ packet: RPCPacket, after delay: Duration) {
        self.isWaitingOutDelay = true
        if let readSource = self.readSource, !self.isReadSuspended {
            readSource.suspend()
            self.isReadSuspended = true
        }
        let nanoseconds = Int(
            clamping: delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000)
        self.queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
            guard !self.isClosed else { return }
            self.isWaitingOutDelay = false
            self.respond(to: packet)
            self.answerBufferedPackets()
            self.flush()
        }
    }

    /// Answers one request through the router, or with `0 Permission denied` when the secure
    /// channel refuses the peer.
    ///
    /// The command and the timing of `RPCServer.RequestRecord` are only worked out when a
    /// request observer wants them.
    private func answer(_ payload: [UInt8]) -> RPCReply {
        let request = RPCRequest(
            vmName: self.vm.name, bytes: payload, peerIsPrivileged: self.peer.isPrivileged)
        let server = self.server
        let observer = server?.configuration.requestObserver
        let start = observer == nil ? nil : ContinuousClock.now
        let refused = self.vm.enforcesSecureChannel && !self.peer.isPrivileged
        let reply =
            refused
            ? RPCReply.failure(RPCServer.permissionDeniedText) : self.vm.router.route(request)
        server?.countRequest(vmName: self.vm.name, wasRefused: refused)
        if let observer, let start {
            observer(
                RPCServer.RequestRecord(
                    vmName: self.vm.name, command: request.command, succeeded: reply.succeeded,
                    wasRefused: refused, duration: ContinuousClock.now - start
                ))
        }
        return reply
    }

    /// Logs a bad packet once, counts it, and closes after replies already queued are written.
    private func reject(reason: BadPacketReason, detail: String) {
        self.logger.warning(
            "closing connection after a bad packet",
            [
                "vm": self.vm.name, "reason": reason.rawValue, "peer": self.peer.description,
                "detail": detail,
            ]
        )
        self.server?.recordBadPacket(reason)
        self.closesAfterFlush = true
    }

    /// Writes pending output; arms the write source when the socket is full, closes when asked to.
    private func flush() {
        while self.outputOffset < self.output.count {
            let written = self.output.withUnsafeBytes { bytes in
                let pending = bytes.count - self.outputOffset
                return send(
                    self.descriptor, bytes.baseAddress! + self.outputOffset, pending,
                    Int32(MSG_NOSIGNAL))
            }
            if written >= 0 {
                self.outputOffset += written
                continue
            }
            let error = errno
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK {
                self.waitUntilWritable()
                return
            }
            self.logger.debug(
                "closing connection after a write error",
                ["vm": self.vm.name, "peer": self.peer.description, "errno": "\(error)"]
            )
            self.shutDown()
            return
        }
        self.output.removeAll(keepingCapacity: true)
        self.outputOffset = 0
        if self.closesAfterFlush {
            self.shutDown()
            return
        }
        if let writeSource = self.writeSource, !self.isWriteSuspended {
            writeSource.suspend()
            self.isWriteSuspended = true
        }
        if let readSource = self.readSource, self.isReadSuspended, !self.isWaitingOutDelay {
            readSource.resume()
            self.isReadSuspended = false
            // A hangup that arrived while reading was suspended may not be reported again.
            self.queue.async { self.readAvailable() }
        }
    }

    /// Stops reading and waits for the socket to drain before writing the rest.
    private func waitUntilWritable() {
        if let readSource = self.readSource, !self.isReadSuspended {
            readSource.suspend()
            self.isReadSuspended = true
        }
        if let writeSource = self.writeSource {
            if self.isWriteSuspended {
                writeSource.resume()
                self.isWriteSuspended = false
            }
            return
        }
        // The write source watches its own duplicate of the socket. Dispatch on Linux keeps one
        // epoll registration per descriptor; when the peer hangs up while the read source is
        // suspended, a write source sharing that registration can miss the hangup and the
        // connection would stay open forever.
        let duplicate = fcntl(self.descriptor, F_DUPFD_CLOEXEC, 0)
        guard duplicate >= 0 else {
            let error = errno
            self.logger.warning(
                "closing connection: cannot watch it for writing",
                [
                    "vm": self.vm.name, "reason": "dup-failed", "peer": self.peer.description,
                    "systemCall": "fcntl", "errno": "\(error)",
                ]
            )
            self.shutDown()
            return
        }
        self.writeDescriptor = duplicate
        let source = DispatchSource.makeWriteSource(fileDescriptor: duplicate, queue: self.queue)
        source.setEventHandler {
            guard !self.isClosed else { return }
            self.flush()
        }
        source.setCancelHandler { self.sourceCancelled() }
        self.writeSource = source
        self.liveSourceCount += 1
        source.resume()
    }

    /// Cancels both sources (resuming them first, as Dispatch requires) and tells the server.
    private func shutDown() {
        guard !self.isClosed else { return }
        self.isClosed = true
        if let readSource = self.readSource {
            if self.isReadSuspended { readSource.resume() }
            readSource.cancel()
        }
        if let writeSource = self.writeSource {
            if self.isWriteSuspended { writeSource.resume() }
            writeSource.cancel()
        }
        // The server forgets the connection before the peer can see the end of stream, so a
        // guest that reconnects at once is never counted against a connection still closing.
        self.server?.connectionDidClose(self)
        if self.readSource == nil && self.writeSource == nil {
            _ = Glibc.close(self.descriptor)
            if self.writeDescriptor >= 0 { _ = Glibc.close(self.writeDescriptor) }
        }
    }

    /// Closes the descriptor once the last source is gone, so no source watches a reused one.
    private func sourceCancelled() {
        self.liveSourceCount -= 1
        if self.liveSourceCount == 0 {
            _ = Glibc.close(self.descriptor)
            if self.writeDescriptor >= 0 { _ = Glibc.close(self.writeDescriptor) }
            self.readSource = nil
            self.writeSource = nil
        }
    }
}

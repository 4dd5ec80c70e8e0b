// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import GuestRPC

/// What a connection needs to know about the VM it serves.
struct VMContext: Sendable {
    let name: String
    let router: Router
    let enforcesSecureChannel: Bool
    let faults: FaultPlanBox
    /// The VM's answered requests, counted here rather than by name under the server's lock; a VM
    /// added again under a removed VM's name gets the removed VM's tally.
    let requests: RequestTally
}

/// Serves one connected stream socket, Unix or vsock: framed requests in, replies out.
///
/// Everything runs on one event loop's thread: a watcher reports the socket
/// readable, the bytes feed the framer, each whole packet is answered through
/// the VM's router, and replies go to an output buffer written at once or, when
/// the socket is full, as soon as it is writable again. While output is pending
/// (or a fault-plan delay runs) reading stops, and at `outputHighWater` bytes of
/// replies pending, answering stops too, so a peer that does not read its replies
/// cannot make the buffer grow beyond that and one reply. A connection whose first
/// request came with it is answered before any watcher exists; one that waits for its
/// first request waits in the loop's `ArrivalWatcher` (one `epoll_ctl`, no watcher), so a
/// one-shot (fast close) exchange ends without ever registering with libuv.
final class RPCConnection: ArrivalListener, @unchecked Sendable {
    /// How many reads one readable event makes before letting other connections run.
    private static let readsPerTurn = 4
    /// How many reply bytes may wait to be written before requests already read wait unanswered:
    /// small requests for large replies would otherwise buffer every reply of a read at once.
    static let outputHighWater = 256 * 1024

    let vm: VMContext
    let peer: RPCPeer
    /// The loop whose thread serves the connection.
    let loop: EventLoop
    private let descriptor: Int32
    private let logger: Logger
    private weak var server: RPCServer?
    /// The server's record of the VM, which lists the connection while it is open.
    let endpoint: RPCServer.Endpoint?

    private var framer: PacketFramer
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var watcher: DescriptorWatcher?
    /// The token of the wait for the first request in the loop's `ArrivalWatcher`, while it lasts.
    private var arrivalToken: UInt64?
    /// True once the connection has waited there: later waits use the watcher, which stays.
    private var hasWaitedForArrival = false
    private var delayTimer: LoopTimer?
    private var closesAfterFlush = false
    /// True once the connection has shut down; read it on the loop's thread.
    private(set) var isClosed = false
    /// True while a request waits out the fault plan's reply delay; reading is paused meanwhile.
    private var isWaitingOutDelay = false
    /// The request that waits out the delay.
    private var delayedPacket: RPCPacket?

    /// Takes ownership of `descriptor`, a connected non-blocking socket; `start()` serves it.
    init(
        descriptor: Int32, vm: VMContext, peer: RPCPeer, maximumPacketLength: Int,
        loop: EventLoop, logger: Logger, server: RPCServer, endpoint: RPCServer.Endpoint? = nil
    ) {
        self.descriptor = descriptor
        self.vm = vm
        self.peer = peer
        self.framer = PacketFramer(maximumLength: maximumPacketLength)
        self.loop = loop
        self.logger = logger
        self.server = server
        self.endpoint = endpoint
    }

    /// Serves the connection; call it on the loop's thread.
    ///
    /// A request that arrived with the connection is answered at once; a watcher is created only
    /// when the connection outlives that first read.
    ///
    /// - Parameter firstRead: a read already made on the socket, its bytes in the loop's read
    ///   buffer; nil to start with a read of its own.
    func start(after firstRead: SocketRead? = nil) {
        guard !self.isClosed else { return }
        self.readAvailable(after: firstRead)
        self.watchUnlessClosed()
    }

    /// Serves a connection whose last reply the socket took only in part: sends `rest`, then closes.
    func start(sendingBeforeClosing rest: [UInt8]) {
        guard !self.isClosed else { return }
        self.output = rest
        self.closesAfterFlush = true
        self.watchUnlessClosed()
    }

    /// Waits for what the connection needs next, unless it is closed already: its first request in
    /// the loop's arrival watcher, anything later through a watcher of its own.
    private func watchUnlessClosed() {
        guard !self.isClosed else { return }
        if !self.hasWaitedForArrival && self.output.isEmpty && !self.isWaitingOutDelay,
            let token = self.loop.arrivals?.wait(for: self.descriptor, listener: self)
        {
            // The arrival watcher holds the connection until it tells it or `shutDown()` cancels.
            self.hasWaitedForArrival = true
            self.arrivalToken = token
            return
        }
        do {
            // The watcher's handler holds the connection: an open connection keeps itself alive
            // until `shutDown()` closes the watcher, whoever else lets go of it.
            self.watcher = try DescriptorWatcher(loop: self.loop, descriptor: self.descriptor) {
                readable, writable, failed in
                self.descriptorReady(readable: readable, writable: writable, failed: failed)
            }
        } catch {
            self.logger.warning(
                "closing connection: cannot watch it",
                ["vm": self.vm.name, "reason": "watch-failed", "peer": self.peer.description, "error": "\(error)"]
            )
            self.shutDown()
            return
        }
        self.updateWatch()
    }

    /// The first request has arrived (or the peer hung up): serves it, then waits with a watcher.
    func socketBecameReadable(failed: Bool) {
        self.arrivalToken = nil
        guard !self.isClosed else { return }
        if failed {
            self.closeAfterPollingError()
            return
        }
        self.readAvailable()
        self.watchUnlessClosed()
    }

    /// Closes after the poll reported an error on the socket (the peer reset it, for one).
    private func closeAfterPollingError() {
        self.logger.debug(
            "closing connection after a polling error", ["vm": self.vm.name, "peer": self.peer.description])
        self.shutDown()
    }

    /// Closes `connections` and returns once they are shut down, so that no request arriving
    /// afterwards is answered on them; one hand-over per loop, however many connections.
    static func closeAndWait(_ connections: [RPCConnection]) {
        let byLoop = Dictionary(grouping: connections) { ObjectIdentifier($0.loop) }
        for group in byLoop.values {
            group[0].loop.executeAndWait { group.forEach { $0.shutDown() } }
        }
    }

    /// Waits for what the connection needs next: room for pending output, or the next request.
    private func updateWatch() {
        let hasOutput = self.outputOffset < self.output.count
        self.watcher?.watch(readable: !hasOutput && !self.isWaitingOutDelay, writable: hasOutput)
    }

    private func descriptorReady(readable: Bool, writable: Bool, failed: Bool) {
        guard !self.isClosed else { return }
        if failed {
            self.closeAfterPollingError()
            return
        }
        if writable {
            self.flush()
            // Requests left unanswered at the high-water mark come before any new one.
            if !self.isClosed && self.outputOffset >= self.output.count { self.answerAndFlush() }
        }
        if readable && !self.isClosed { self.readAvailable() }
        if !self.isClosed { self.updateWatch() }
    }

    /// Reads what the socket holds (a few chunks at most; the watcher reports the rest) and
    /// answers every whole request in it.
    ///
    /// The watch is level-triggered: a short read means the socket is drained for now, and a
    /// hang-up that arrived with the data is reported again on the next turn.
    ///
    /// - Parameter firstRead: a read already made, taken as the first of the turn.
    private func readAvailable(after firstRead: SocketRead? = nil) {
        var madeRead = firstRead
        for _ in 0..<Self.readsPerTurn {
            guard !self.isClosed, !self.isWaitingOutDelay, self.outputOffset >= self.output.count else { return }
            // The loop's scratch buffer: the framer copies what it needs before anything else runs.
            let read = madeRead ?? SocketRead.read(self.descriptor, into: self.loop.readBuffer)
            madeRead = nil
            guard self.take(read) else { return }
        }
    }

    /// Answers the whole requests a read completed, or closes after an end of stream or a read error.
    ///
    /// - Returns: true when the read filled the buffer, so the socket may hold more.
    private func take(_ read: SocketRead) -> Bool {
        let buffer = self.loop.readBuffer
        if read.count > 0 {
            let bytes = UnsafeBufferPointer(rebasing: buffer[..<read.count])
            if self.answersAsOneShot(bytes) { return false }
            self.framer.append(bytes)
            self.answerAndFlush()
            return read.count == buffer.count
        }
        if read.count == 0 {
            self.peerClosed()
            return false
        }
        guard read.errorNumber != EAGAIN && read.errorNumber != EWOULDBLOCK else { return false }
        self.logger.warning(
            "closing connection after a read error",
            [
                "vm": self.vm.name, "reason": "read-error", "peer": self.peer.description,
                "errno": "\(read.errorNumber)",
            ]
        )
        self.shutDown()
        return false
    }

    /// Answers `bytes` and closes when they are one whole fast-close request with nothing before
    /// them, as the listener answers one that came with the connection: a guestlib update whose
    /// request arrived after the accept skips the framer's copies. Anything else is left to the framer.
    ///
    /// - Returns: true when the request was answered.
    private func answersAsOneShot(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard self.framer.bufferedByteCount == 0, self.output.isEmpty, !self.closesAfterFlush,
            let packet = RPCServer.wholeOneShotRequest(bytes, maximumLength: self.framer.maximumLength, vm: self.vm)
        else { return false }
        self.respond(to: packet)
        self.flush()
        return true
    }

    /// Closes after the peer's end of stream; a packet left incomplete is a bad packet (the
    /// guest sent part of a request and went away: a crashed or killed writer).
    private func peerClosed() {
        let leftOver = self.framer.bufferedByteCount
        if leftOver > 0 {
            self.logger.warning(
                "peer closed the connection in the middle of a packet",
                [
                    "vm": self.vm.name, "reason": BadPacketReason.truncated.rawValue,
                    "peer": self.peer.description, "detail": "\(leftOver) bytes of an incomplete packet discarded",
                ]
            )
            self.server?.recordBadPacket(.truncated)
        } else {
            self.logger.debug("peer closed the connection", ["vm": self.vm.name, "peer": self.peer.description])
        }
        self.shutDown()
    }

    /// Answers buffered requests and writes their replies until the socket is full, a delay or
    /// fast close stops answering, or no whole request is left.
    private func answerAndFlush() {
        while self.answerBufferedPackets() {
            self.flush()
            guard !self.isClosed, self.outputOffset >= self.output.count else { return }
        }
        self.flush()
    }

    /// Answers whole packets buffered, stopping after a fast-close request or a bad packet, and
    /// at `outputHighWater` bytes of replies waiting to be written.
    ///
    /// The VM's fault plan is read before each request: a hung host drops the request unanswered,
    /// a delaying host answers it after the delay with reading paused meanwhile.
    ///
    /// - Returns: true when it stopped at the high-water mark with requests possibly left.
    @discardableResult
    private func answerBufferedPackets() -> Bool {
        // A service may close the connection while answering (by dropping its VM's connections).
        while !self.closesAfterFlush && !self.isWaitingOutDelay && !self.isClosed {
            guard self.output.count - self.outputOffset < Self.outputHighWater else { return true }
            let packet: RPCPacket
            do {
                guard let bytes = try self.framer.nextPacket() else { return false }
                packet = try RPCPacket(decoding: bytes, maximumLength: self.framer.maximumLength)
            } catch {
                self.reject(reason: BadPacketReason(error), detail: "\(error)")
                return false
            }
            let plan = self.vm.faults.plan
            if plan.isHung {
                self.logger.debug("fault plan: request left unanswered", ["vm": self.vm.name])
                continue
            }
            if plan.replyDelay > .zero {
                self.answer(packet, after: plan.replyDelay)
                return false
            }
            self.respond(to: packet)
        }
        return false
    }

    private func respond(to packet: RPCPacket) {
        let reply = RPCServer.answer(packet.payload, vm: self.vm, peer: self.peer, server: self.server)
        self.closesAfterFlush = packet.fastClose
        // A service may have closed the connection while answering: nothing is written then.
        guard !self.isClosed else { return }
        if self.output.isEmpty {
            self.write(reply)
        } else {
            ReplyPacket.append(reply, to: &self.output)
        }
    }

    /// Sends `reply`'s packet straight from the reply (one `sendmsg` of its header and payload)
    /// when nothing else waits to be written; what the socket does not take waits in `output`.
    private func write(_ reply: RPCReply) {
        let sent = ReplyPacket.send(reply, on: self.descriptor)
        guard sent.written >= 0 else {
            self.logger.debug(
                "closing connection after a write error",
                ["vm": self.vm.name, "peer": self.peer.description, "errno": "\(sent.errorNumber)"]
            )
            self.shutDown()
            return
        }
        guard sent.written < ReplyPacket.packetSize(of: reply) else { return }
        self.output.append(contentsOf: ReplyPacket.bytes(of: reply, from: sent.written))
    }

    /// Answers `packet` after `delay`, reading nothing else meanwhile, then carries on.
    private func answer(_ packet: RPCPacket, after delay: Duration) {
        self.isWaitingOutDelay = true
        self.updateWatch()
        let timer = self.delayTimer ?? LoopTimer(loop: self.loop) { self.delayEnded() }
        self.delayTimer = timer
        timer.schedule(after: delay)
        self.delayedPacket = packet
    }

    private func delayEnded() {
        guard !self.isClosed, let packet = self.delayedPacket else { return }
        self.delayedPacket = nil
        self.isWaitingOutDelay = false
        self.respond(to: packet)
        self.answerAndFlush()
        if !self.isClosed { self.updateWatch() }
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

    /// Writes pending output, keeping the rest for when the socket is writable; closes when asked to.
    ///
    /// Nothing is written once the connection is closed: its descriptor number may already
    /// belong to another socket or file.
    private func flush() {
        guard !self.isClosed else { return }
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
            if error == EAGAIN || error == EWOULDBLOCK { return }
            self.logger.debug(
                "closing connection after a write error",
                ["vm": self.vm.name, "peer": self.peer.description, "errno": "\(error)"]
            )
            self.shutDown()
            return
        }
        self.output.removeAll(keepingCapacity: true)
        self.outputOffset = 0
        if self.closesAfterFlush { self.shutDown() }
    }

    /// Stops watching, tells the server, and closes the descriptor; call it on the loop's thread.
    func shutDown() {
        guard !self.isClosed else { return }
        self.isClosed = true
        // The watcher's and timer's handlers hold the connection: letting go of them here breaks
        // the cycle, and libuv releases the handlers once the handles are closed.
        self.watcher?.close()
        self.watcher = nil
        if let token = self.arrivalToken { self.loop.arrivals?.cancel(token) }
        self.arrivalToken = nil
        self.delayTimer?.close()
        self.delayTimer = nil
        self.delayedPacket = nil
        self.output = []
        self.outputOffset = 0
        // The server forgets the connection before the peer can see the end of stream, so a
        // guest that reconnects at once is never counted against a connection still closing.
        self.server?.connectionDidClose(self)
        _ = Glibc.close(self.descriptor)
    }
}

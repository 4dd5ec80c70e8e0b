// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CPlatform
import Glibc
import GuestRPC

/// A listening stream socket watched by an event loop, accepting the connections that arrive.
///
/// Owns the listening descriptor: it is closed on the loop once `cancel()` has run there.
/// Every accepted descriptor is non-blocking and close-on-exec and is handed, with the peer's
/// address bytes, to `onAccept` on the loop's thread; `onAccept` owns it from then on. The address
/// bytes are valid during the call only: a handler that needs them copies them.
final class ListeningSocket: @unchecked Sendable {
    /// What was accepted: the connected descriptor and the peer's socket address bytes, valid during
    /// the call only (no array is made for a handler that does not read them).
    typealias AcceptHandler = (_ descriptor: Int32, _ peerAddress: UnsafeRawBufferPointer) -> Void

    /// How long accepting pauses when the process is out of file descriptors.
    static let descriptorShortagePause = Duration.milliseconds(100)

    private let descriptor: Int32
    private let loop: EventLoop
    private let logger: Logger
    private let onAccept: AcceptHandler
    // The loop's thread alone touches these.
    private var watcher: DescriptorWatcher?
    private var shortageTimer: LoopTimer?
    private var shortageStart: ContinuousClock.Instant?
    private var isCancelled = false

    /// Starts accepting on `descriptor`, a bound, listening, non-blocking socket it now owns.
    init(descriptor: Int32, loop: EventLoop, logger: Logger, onAccept: @escaping AcceptHandler) {
        self.descriptor = descriptor
        self.loop = loop
        self.logger = logger
        self.onAccept = onAccept
        loop.execute { self.start() }
    }

    /// Stops accepting and closes the listening descriptor; connections already accepted carry on.
    func cancel() {
        self.loop.execute { self.cancelOnLoop() }
    }

    /// Cancels as `cancel()` does and returns once the loop has done it, after whatever the loop
    /// was doing with connections accepted before.
    func cancelAndWait() {
        self.loop.executeAndWait { self.cancelOnLoop() }
    }

    private func cancelOnLoop() {
        guard !self.isCancelled else { return }
        self.isCancelled = true
        self.watcher?.close()
        self.watcher = nil
        self.shortageTimer?.close()
        self.shortageTimer = nil
        _ = Glibc.close(self.descriptor)
    }

    private func start() {
        guard !self.isCancelled else { return }
        do {
            let watcher = try DescriptorWatcher(loop: self.loop, descriptor: self.descriptor) {
                [weak self] _, _, _ in
                self?.acceptPending()
            }
            watcher.watch(readable: true, writable: false)
            self.watcher = watcher
        } catch {
            self.logger.error("cannot accept connections on a listening socket", ["error": "\(error)"])
        }
    }

    /// Accepts one connection from the backlog; out of descriptors, pauses accepting.
    ///
    /// One per readable event: the watch is level-triggered, so the loop reports the socket again
    /// while connections wait, and no `accept4` is spent on finding the backlog empty. During a
    /// descriptor shortage it accepts until the backlog is drained (EAGAIN), which is when the
    /// shortage ends, not at the first connection accepted: while connections close one by one
    /// under a lasting shortage, each freed descriptor lets one more connection in before EMFILE
    /// again, and that is still the same shortage.
    private func acceptPending() {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let connected = guestsdk_accept_nonblocking(self.descriptor, &storage, &length)
            guard connected >= 0 else {
                let error = errno
                if error == EINTR || error == ECONNABORTED { continue }
                if error == EMFILE || error == ENFILE {
                    self.pauseForDescriptorShortage(errorNumber: error)
                } else if error == EAGAIN || error == EWOULDBLOCK {
                    self.endDescriptorShortage()
                } else {
                    self.logger.error("accept failed", ["systemCall": "accept4", "errno": "\(error)"])
                }
                return
            }
            withUnsafeBytes(of: &storage) {
                self.onAccept(connected, UnsafeRawBufferPointer(rebasing: $0.prefix(Int(length))))
            }
            guard self.shortageStart != nil else { return }
        }
    }

    /// Stops watching for `descriptorShortagePause`: the backlog stays readable, and accepting
    /// again at once would spin on EMFILE. Logs when the shortage starts, not at every pause.
    private func pauseForDescriptorShortage(errorNumber: Int32) {
        if self.shortageStart == nil {
            self.shortageStart = .now
            self.logger.error(
                "out of file descriptors: new connections wait in the backlog until some close",
                ["systemCall": "accept4", "errno": "\(errorNumber)", "retryEvery": "100ms"])
        }
        self.watcher?.watch(readable: false, writable: false)
        let timer =
            self.shortageTimer
            ?? LoopTimer(loop: self.loop) { [weak self] in
                self?.watcher?.watch(readable: true, writable: false)
            }
        self.shortageTimer = timer
        timer.schedule(after: Self.descriptorShortagePause)
    }

    /// Logs the end of a descriptor shortage, with how long it lasted: every connection that
    /// waited in the backlog has been accepted.
    private func endDescriptorShortage() {
        guard let start = self.shortageStart else { return }
        self.shortageStart = nil
        self.logger.info(
            "file descriptors available again: accepting", ["shortageLasted": "\(ContinuousClock.now - start)"])
    }
}

extension ListeningSocket {
    /// Creates a listening Unix stream socket at `path`, mode 0600, owned by `owner`.
    ///
    /// A socket file at `path` that nobody listens on is stale and replaced; a live
    /// socket or any other kind of file is left alone and reported.
    ///
    /// - Returns: the listening descriptor, non-blocking and close-on-exec.
    /// - Throws: `RPCServerError` naming the path and the call that failed.
    static func makeUnixListener(path: String, owner: SocketOwner) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw RPCServerError(.pathTooLong, subject: path) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }

        try removeStaleSocket(at: path, address: address)
        let descriptor = socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0
        )
        guard descriptor >= 0 else { throw systemError("socket", path) }
        do {
            // On Linux the socket file takes the socket inode's mode: 0600 from its first moment.
            guard fchmod(descriptor, 0o600) == 0 else { throw systemError("fchmod", path) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { throw systemError("bind", path) }
        } catch {
            _ = Glibc.close(descriptor)
            throw error
        }
        do {
            guard chmod(path, 0o600) == 0 else { throw systemError("chmod", path) }
            guard chown(path, owner.userID, owner.groupID) == 0 else {
                throw systemError("chown", path)
            }
            guard listen(descriptor, SOMAXCONN) == 0 else { throw systemError("listen", path) }
            return descriptor
        } catch {
            _ = unlink(path)
            _ = Glibc.close(descriptor)
            throw error
        }
    }

    /// Unlinks a socket file left at `path` by an earlier run; refuses to unlink anything else.
    ///
    /// A socket is stale when connecting to it is refused; one that accepts (or whose backlog
    /// is full) belongs to a running server, such as another agent on the same state directory.
    private static func removeStaleSocket(at path: String, address: sockaddr_un) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            let error = errno
            guard error == ENOENT else {
                throw RPCServerError(
                    .systemCallFailed, subject: path, systemCall: "lstat", errorNumber: error)
            }
            return
        }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw RPCServerError(.pathOccupied, subject: path)
        }
        guard !isListening(address) else { throw RPCServerError(.socketInUse, subject: path) }
        guard unlink(path) == 0 || errno == ENOENT else { throw systemError("unlink", path) }
    }

    /// True when a server accepts connections on `address`: a non-blocking connect succeeds or
    /// finds the backlog full.
    private static func isListening(_ address: sockaddr_un) -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard probe >= 0 else { return false }
        defer { _ = Glibc.close(probe) }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return connected == 0 || errno == EAGAIN
    }

    /// An error for the call that just failed, with errno read immediately.
    static func systemError(_ call: String, _ subject: String) -> RPCServerError {
        let error = errno
        return RPCServerError(
            .systemCallFailed, subject: subject, systemCall: call, errorNumber: error)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Glibc
import GuestRPC

/// A listening stream socket and the Dispatch source that accepts on it.
///
/// Owns the listening descriptor: it is closed once the accept source is
/// cancelled. Every accepted descriptor is non-blocking and close-on-exec and
/// is handed, with the peer's address bytes, to `onAccept`, which owns it from then on.
final class ListeningSocket: @unchecked Sendable {
    /// What was accepted: the connected descriptor and the peer's socket address bytes.
    typealias AcceptHandler = @Sendable (_ descriptor: Int32, _ peerAddress: [UInt8]) -> Void

    private let descriptor: Int32
    private let source: DispatchSourceRead

    /// How long accepting pauses when the process is out of file descriptors.
    static let descriptorShortagePause = DispatchTimeInterval.milliseconds(100)

    /// Starts accepting on `descriptor`, a bound, listening, non-blocking socket it now owns.
    init(descriptor: Int32, queue: DispatchQueue, logger: Logger, onAccept: @escaping AcceptHandler) {
        self.descriptor = descriptor
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        self.source = source
        source.setEventHandler {
            guard ListeningSocket.acceptPending(on: descriptor, logger: logger, onAccept: onAccept)
            else { return }
            // Out of descriptors: the backlog stays readable, so pause rather than spin on EMFILE.
            source.suspend()
            queue.asyncAfter(deadline: .now() + ListeningSocket.descriptorShortagePause) {
                source.resume()
            }
        }
        source.setCancelHandler {
            _ = Glibc.close(descriptor)
        }
        source.resume()
    }

    /// Stops accepting and closes the listening descriptor; connections already accepted carry on.
    func cancel() {
        self.source.cancel()
    }

    /// Accepts every connection waiting in the backlog.
    ///
    /// - Returns: true when accepting stopped because the process ran out of file descriptors.
    private static func acceptPending(on descriptor: Int32, logger: Logger, onAccept: AcceptHandler)
        -> Bool
    {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let connected = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(descriptor, $0, &length)
                }
            }
            guard connected >= 0 else {
                let error = errno
                if error == EINTR || error == ECONNABORTED { continue }
                if error != EAGAIN && error != EWOULDBLOCK {
                    logger.error("accept failed", ["systemCall": "accept", "errno": "\(error)"])
                }
                return error == EMFILE || error == ENFILE
            }
            // FIXME: Glibc's Swift module does not export accept4, so close-on-exec is set just
            // after accept; a program another thread spawns in that instant could inherit the
            // connection. Exposing accept4 through a small C shim would close the gap.
            _ = fcntl(connected, F_SETFD, FD_CLOEXEC)
            // An accepted socket starts with no file status flags: O_NONBLOCK needs no F_GETFL.
            _ = fcntl(connected, F_SETFL, O_NONBLOCK)
            let bytes = withUnsafeBytes(of: &storage) { Array($0.prefix(Int(length))) }
            onAccept(connected, bytes)
        }
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

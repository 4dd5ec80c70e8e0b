// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Opens the stream socket a `StreamChannel` talks over: a Unix socket or a vsock connection.
///
/// Both carry the same framing (PROTOCOL.md §15), so only connecting differs.
protocol StreamConnector: AnyObject {
    /// The endpoint named in every error of the channel.
    var endpoint: Endpoint { get }

    /// Connects and returns the connected descriptor, which the caller then owns.
    ///
    /// - Throws: `RPCError` of kind `.openFailed` naming the failed call and its errno.
    func connect() throws -> Int32

    /// Connects with a send and receive timeout on the socket; nil waits as long as the host takes.
    ///
    /// The default connects, then sets the timeout. A connector that can set it before connecting
    /// does, so that the timeout also bounds the connect itself.
    func connect(ioTimeoutSeconds: Double?) throws -> Int32
}

extension StreamConnector {
    func connect(ioTimeoutSeconds: Double?) throws -> Int32 {
        let descriptor = try self.connect()
        if let seconds = ioTimeoutSeconds {
            SocketTimeout.apply(seconds, to: descriptor)
        }
        return descriptor
    }
}

/// The send and receive timeout of a channel's socket (`SO_SNDTIMEO`, `SO_RCVTIMEO`).
enum SocketTimeout {
    /// Sets both timeouts of `socket` to `seconds`.
    static func apply(_ seconds: Double, to socket: Int32) {
        var value = timeval(
            tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        _ = setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        _ = setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    /// "`what` within N s", with N printed without a fraction when it has none.
    static func describe(_ what: String, within seconds: Double) -> String {
        let text = seconds == seconds.rounded() && seconds < 1e9 ? String(Int(seconds)) : String(seconds)
        return "\(what) within \(text) s"
    }
}

/// Connects to a stream Unix socket, such as a VM's socket of `guestsdk-host`.
final class UnixSocketConnector: StreamConnector {
    /// The socket path.
    let path: String
    /// The address to connect to, built once; nil when the path does not fit `sun_path`.
    private let address: sockaddr_un?

    init(path: String) {
        self.path = path
        self.address = UnixSocketConnector.address(path)
    }

    var endpoint: Endpoint { .unix(path: self.path) }

    func connect() throws -> Int32 {
        try self.connect(ioTimeoutSeconds: nil)
    }

    /// Sets the timeout before connecting: a host that stopped accepting, its listen backlog full,
    /// then fails the connect after `ioTimeoutSeconds` instead of holding the caller forever.
    func connect(ioTimeoutSeconds: Double?) throws -> Int32 {
        guard var address = self.address else {
            throw RPCError(
                .openFailed, endpoint: self.endpoint,
                detail:
                    "the socket path must be 1 to \(UnixSocketConnector.pathCapacity - 1) bytes without NUL, "
                    + "not \(self.path.utf8.count)"
            )
        }
        let descriptor = Glibc.socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw RPCError(
                .openFailed, endpoint: self.endpoint, systemCall: "socket", errorNumber: errno)
        }
        if let seconds = ioTimeoutSeconds {
            SocketTimeout.apply(seconds, to: descriptor)
        }

        while true {
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    Glibc.connect(
                        descriptor, socketAddress, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if result == 0 { return descriptor }
            let number = errno
            if number == EINTR { continue }
            _ = Glibc.close(descriptor)
            var detail: String?
            if let seconds = ioTimeoutSeconds, number == EAGAIN {
                detail = SocketTimeout.describe("the host did not accept the connection", within: seconds)
            }
            throw RPCError(
                .openFailed, endpoint: self.endpoint, systemCall: "connect", errorNumber: number,
                detail: detail)
        }
    }

    private static var pathCapacity: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) }

    /// `path` as a `sockaddr_un`, or nil when it is empty, too long or holds a NUL.
    private static func address(_ path: String) -> sockaddr_un? {
        var path = path
        return path.withUTF8 { pathBytes in
            guard !pathBytes.isEmpty, pathBytes.count < pathCapacity, !pathBytes.contains(0) else {
                return nil
            }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(pathBytes))
            }
            return address
        }
    }
}

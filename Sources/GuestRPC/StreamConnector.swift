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
}

/// Connects to a stream Unix socket, such as a VM's socket of `guestsdk-host`.
final class UnixSocketConnector: StreamConnector {
    /// The socket path.
    let path: String

    init(path: String) {
        self.path = path
    }

    var endpoint: Endpoint { .unix(path: self.path) }

    func connect() throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(self.path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity, !pathBytes.contains(0) else {
            throw RPCError(
                .openFailed, endpoint: self.endpoint,
                detail:
                    "the socket path must be 1 to \(capacity - 1) bytes without NUL, not \(pathBytes.count)"
            )
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }

        let descriptor = Glibc.socket(
            AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw RPCError(
                .openFailed, endpoint: self.endpoint, systemCall: "socket", errorNumber: errno)
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
            throw RPCError(
                .openFailed, endpoint: self.endpoint, systemCall: "connect", errorNumber: number)
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Creates the control server's listening TCP sockets, on loopback addresses only.
enum LoopbackListener {
    /// A bound, listening socket and the port it got.
    struct Socket {
        var descriptor: Int32
        var port: UInt16
    }

    /// Binds and listens on `address`:`port`; refuses any address outside `127.0.0.0/8` and `::1`.
    ///
    /// - Parameters:
    ///   - address: a numeric IPv4 or IPv6 loopback address.
    ///   - port: the port; 0 picks a free one.
    /// - Returns: the socket and its port (read back with `getsockname`).
    /// - Throws: `ControlServerError` naming the address and the failed call.
    static func bind(address: String, port: UInt16) throws -> Socket {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            guard UInt32(bigEndian: v4.s_addr) >> 24 == 127 else {
                throw ControlServerError(
                    reason: "\(address) is not a loopback address; the control API listens on loopback only")
            }
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            socketAddress.sin_port = port.bigEndian
            socketAddress.sin_addr = v4
            return try self.listen(family: AF_INET, address: address, socketAddress)
        }
        if inet_pton(AF_INET6, address, &v6) == 1 {
            var loopback = in6addr_loopback
            guard memcmp(&v6, &loopback, MemoryLayout<in6_addr>.size) == 0 else {
                throw ControlServerError(
                    reason: "\(address) is not a loopback address; the control API listens on loopback only")
            }
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            socketAddress.sin6_port = port.bigEndian
            socketAddress.sin6_addr = v6
            return try self.listen(family: AF_INET6, address: address, socketAddress)
        }
        throw ControlServerError(reason: "\(address) is not a numeric IPv4 or IPv6 address")
    }

    private static func listen<Address>(family: Int32, address: String, _ socketAddress: Address) throws -> Socket {
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ControlServerError(address: address, systemCall: "socket", errno: errno) }
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            _ = setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        var bound = socketAddress
        let bindResult = withUnsafePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<Address>.size))
            }
        }
        guard bindResult == 0 else {
            let error = errno
            _ = close(descriptor)
            throw ControlServerError(address: address, systemCall: "bind", errno: error)
        }
        guard Glibc.listen(descriptor, 64) == 0 else {
            let error = errno
            _ = close(descriptor)
            throw ControlServerError(address: address, systemCall: "listen", errno: error)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else {
            let error = errno
            _ = close(descriptor)
            throw ControlServerError(address: address, systemCall: "getsockname", errno: error)
        }
        let port = withUnsafePointer(to: &storage) { pointer -> UInt16 in
            family == AF_INET
                ? pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin_port)
                }
                : pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
        }
        return Socket(descriptor: descriptor, port: port)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// The few vsock facts the host listener needs: Linux's `sockaddr_vm` layout (PROTOCOL.md §4.1).
///
/// This is the only vsock-specific code on the host side; every accepted vsock
/// connection is served by the same `RPCConnection` code as a Unix-socket one.
enum VsockAddress {
    /// `AF_VSOCK` on Linux.
    static let addressFamily: Int32 = 40
    /// `VMADDR_CID_ANY`: listen on every local context id.
    static let anyCID: UInt32 = 0xFFFF_FFFF
    /// The RPCI listener port (PROTOCOL.md §4.1).
    static let rpciPort: UInt32 = 976
    /// The size of `sockaddr_vm`: family, reserved, port, CID, 4 bytes of zero.
    static let size = 16

    /// Builds a `sockaddr_vm`: family at offset 0, port at 4, CID at 8, in host byte order.
    static func encode(cid: UInt32, port: UInt32) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: size)
        withUnsafeBytes(of: UInt16(addressFamily)) { bytes.replaceSubrange(0..<2, with: $0) }
        withUnsafeBytes(of: port) { bytes.replaceSubrange(4..<8, with: $0) }
        withUnsafeBytes(of: cid) { bytes.replaceSubrange(8..<12, with: $0) }
        return bytes
    }

    /// Reads the CID and port from a `sockaddr_vm`; nil when the bytes are not one.
    static func decode(_ bytes: [UInt8]) -> (cid: UInt32, port: UInt32)? {
        guard bytes.count >= 12 else { return nil }
        let family = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
        guard Int32(family) == addressFamily else { return nil }
        let port = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self) }
        let cid = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self) }
        return (cid, port)
    }

    /// Creates a listening vsock stream socket on `port` for any CID.
    ///
    /// - Returns: the listening descriptor, non-blocking and close-on-exec.
    /// - Throws: `RPCServerError` naming the failed call (EAFNOSUPPORT: no vsock here).
    static func makeListener(port: UInt32) throws -> Int32 {
        let subject = "vsock port \(port)"
        let descriptor = socket(
            addressFamily,
            Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ListeningSocket.systemError("socket", subject) }
        let address = encode(cid: anyCID, port: port)
        let bound = address.withUnsafeBytes {
            bind(
                descriptor, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(size))
        }
        guard bound == 0, listen(descriptor, SOMAXCONN) == 0 else {
            let error = ListeningSocket.systemError(bound == 0 ? "listen" : "bind", subject)
            _ = Glibc.close(descriptor)
            throw error
        }
        return descriptor
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CPlatform
import Glibc

/// A system call that failed: its name and the errno read right after it.
struct SystemCallFailure: Error, Equatable, Sendable, CustomStringConvertible {
    var call: String
    var errorNumber: Int32

    var description: String {
        "\(self.call): \(String(cString: strerror(self.errorNumber))) (errno \(self.errorNumber))"
    }
}

/// The system calls the vsock connect algorithm makes (PROTOCOL.md §4.1–§4.2).
///
/// The real implementation is `LinuxVSockSystem`; tests script a fake so the
/// whole retry table runs without a vsock socket ever being connected.
protocol VSockSystem: AnyObject {
    /// `socket(family, type, 0)`: the new descriptor.
    func makeSocket(family: Int32, type: Int32) -> Result<Int32, SystemCallFailure>
    /// `bind(socket, address)`: nil on success.
    func bind(_ socket: Int32, to address: VSockAddress) -> SystemCallFailure?
    /// `connect(socket, address)`: nil on success.
    func connect(_ socket: Int32, to address: VSockAddress) -> SystemCallFailure?
    /// `close(socket)`.
    func close(_ socket: Int32)
    /// The address family the vsock device reports (ioctl 1976 on `/dev/vsock`), or nil.
    func deviceAddressFamily() -> Int32?
    /// The local CID the vsock device reports (ioctl 1977 on `/dev/vsock`), or nil.
    func deviceLocalCID() -> UInt32?
    /// Sleeps for `milliseconds` (the ENOBUFS pause).
    func pause(milliseconds: Int)
}

/// The real vsock system calls on Linux.
final class LinuxVSockSystem: VSockSystem {
    /// The vsock device nodes, Linux first, then ESXi's.
    static let devicePaths = ["/dev/vsock", "/vmfs/devices/char/vsock/vsock"]
    /// ioctl request: the vsock address family.
    static let getAddressFamilyRequest: UInt = 1976
    /// ioctl request: the local CID.
    static let getLocalCIDRequest: UInt = 1977

    func makeSocket(family: Int32, type: Int32) -> Result<Int32, SystemCallFailure> {
        let descriptor = Glibc.socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            return .failure(SystemCallFailure(call: "socket", errorNumber: errno))
        }
        return .success(descriptor)
    }

    func bind(_ socket: Int32, to address: VSockAddress) -> SystemCallFailure? {
        let result = address.bytes.withUnsafeBytes { raw in
            Glibc.bind(
                socket, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                socklen_t(raw.count))
        }
        return result == 0 ? nil : SystemCallFailure(call: "bind", errorNumber: errno)
    }

    func connect(_ socket: Int32, to address: VSockAddress) -> SystemCallFailure? {
        let result = address.bytes.withUnsafeBytes { raw in
            Glibc.connect(
                socket, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                socklen_t(raw.count))
        }
        return result == 0 ? nil : SystemCallFailure(call: "connect", errorNumber: errno)
    }

    func close(_ socket: Int32) {
        _ = Glibc.close(socket)
    }

    func deviceAddressFamily() -> Int32? {
        self.queryDevice(LinuxVSockSystem.getAddressFamilyRequest).map { Int32(bitPattern: $0) }
    }

    func deviceLocalCID() -> UInt32? {
        self.queryDevice(LinuxVSockSystem.getLocalCIDRequest)
    }

    func pause(milliseconds: Int) {
        usleep(useconds_t(milliseconds * 1000))
    }

    private func queryDevice(_ request: UInt) -> UInt32? {
        for path in LinuxVSockSystem.devicePaths {
            let device = open(path, O_RDONLY | O_CLOEXEC)
            guard device >= 0 else { continue }
            defer { _ = Glibc.close(device) }
            var value: UInt32 = 0
            if guestsdk_ioctl_uint(device, request, &value) == 0 {
                return value
            }
        }
        return nil
    }
}

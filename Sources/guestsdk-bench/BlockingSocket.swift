// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// A connected, blocking Unix stream socket that sends framed RPCI packets and reads framed
/// replies, for the simulated guests of `ha-scale`. It owns its descriptor and closes it on deinit.
final class BlockingSocket: @unchecked Sendable {
    /// Why a socket call failed, with errno read right after the call.
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var errorNumber: Int32
        var description: String { "\(self.call): \(String(cString: strerror(self.errorNumber)))" }
    }

    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 256)

    /// Connects to the Unix socket at `path`.
    ///
    /// - Throws: `Failure` naming `socket` or `connect`.
    init(path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(call: "socket", errorNumber: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(capacity - 1))
            raw.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let error = errno
            close(descriptor)
            throw Failure(call: "connect", errorNumber: error)
        }
        self.descriptor = descriptor
    }

    deinit {
        close(self.descriptor)
    }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.write(self.descriptor, $0.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(call: "write", errorNumber: errno)
            }
            offset += written
        }
    }

    /// Reads one framed reply and returns its payload.
    func readReply() throws -> RPCReply? {
        let header = try self.readExactly(4)
        let length =
            Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        let body = try self.readExactly(length)
        let packet = try RPCPacket(decoding: header + body)
        return RPCReply(wireBytes: packet.payload)
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        if self.buffer.count < count { self.buffer = [UInt8](repeating: 0, count: count) }
        var offset = 0
        while offset < count {
            let received = self.buffer.withUnsafeMutableBytes {
                read(self.descriptor, $0.baseAddress! + offset, count - offset)
            }
            if received < 0 {
                if errno == EINTR { continue }
                throw Failure(call: "read", errorNumber: errno)
            }
            guard received > 0 else { throw Failure(call: "read", errorNumber: ECONNRESET) }
            offset += received
        }
        return Array(self.buffer[0..<count])
    }
}

/// Raises this process's open-file limit to its hard limit, as the scale benchmark needs one
/// descriptor per guest (and the agent two: the listener and the connection).
func raiseOpenFileLimit() -> Int {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    return Int(limit.rlim_cur)
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import GuestRPC

/// Why the test client failed: the call, its errno, or what it saw.
struct TestClientError: Error, CustomStringConvertible {
    var description: String

    static func call(_ name: String) -> TestClientError {
        let error = errno
        return TestClientError(
            description: "\(name) failed: \(String(cString: strerror(error))) (errno \(error))")
    }
}

/// A blocking socket client with send and receive timeouts: a test never hangs on a silent server.
///
/// A call interrupted by a signal is repeated: with a socket timeout set, `recv` and `send` fail
/// with EINTR even under SA_RESTART (signal(7)), and tests that start child processes make the
/// test process receive SIGCHLD at any time.
final class TestClient {
    private let descriptor: Int32

    /// Takes `descriptor`, a connected blocking stream socket, and sets its timeouts.
    init(descriptor: Int32, timeoutSeconds: Int = 5) {
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
        setsockopt(self.descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
    }

    /// Connects to the Unix socket at `path`.
    convenience init(path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestClientError.call("socket") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let error = TestClientError.call("connect")
            _ = close(descriptor)
            throw error
        }
        self.init(descriptor: descriptor)
    }

    deinit {
        _ = close(self.descriptor)
    }

    /// Writes `bytes` exactly as given.
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                send(
                    self.descriptor, $0.baseAddress! + offset, bytes.count - offset,
                    Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw TestClientError.call("send") }
            offset += written
        }
    }

    /// Reads exactly `count` bytes; nil when the server closed the connection first.
    func read(count: Int) throws -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = bytes.withUnsafeMutableBytes {
                recv(self.descriptor, $0.baseAddress! + offset, count - offset, 0)
            }
            if received == 0 { return nil }
            if received < 0 && errno == EINTR { continue }
            guard received > 0 else { throw TestClientError.call("recv") }
            offset += received
        }
        return bytes
    }

    /// True when the next read sees the server's end of stream: `recv` returns 0, not data.
    func readsEndOfStream() throws -> Bool {
        var byte: UInt8 = 0
        var received = recv(self.descriptor, &byte, 1, 0)
        while received < 0 && errno == EINTR { received = recv(self.descriptor, &byte, 1, 0) }
        guard received >= 0 else { throw TestClientError.call("recv") }
        return received == 0
    }

    /// Reads one framed reply packet and interprets its payload as `1 …`/`0 …`.
    func readReply() throws -> RPCReply {
        guard let header = try self.read(count: 4) else {
            throw TestClientError(description: "server closed the connection before replying")
        }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard let body = try self.read(count: length) else {
            throw TestClientError(description: "server closed the connection inside a reply")
        }
        let packet = try RPCPacket(decoding: header + body, maximumLength: Int.max)
        guard let reply = RPCReply(wireBytes: packet.payload) else {
            throw TestClientError(description: "reply payload lacks the 1/0 prefix")
        }
        return reply
    }

    /// Sends one request packet and waits for its reply.
    func request(_ text: String, fastClose: Bool = false) throws -> RPCReply {
        try self.write(RPCPacket(payload: Array(text.utf8), fastClose: fastClose).encoded())
        return try self.readReply()
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc

@testable import GuestRPC

/// A tiny host on a Unix socket for channel tests: one thread accepts connections
/// one after another and hands each to `handle`, which plays the host's part.
///
/// Every socket has a 5 s timeout, so a test that goes wrong fails instead of hanging.
final class ScriptedServer: @unchecked Sendable {
    /// One accepted connection, seen from the host.
    final class Connection {
        let socket: Int32

        init(socket: Int32) {
            self.socket = socket
        }

        /// Reads one framed packet, length word included; nil when the peer closed or timed out.
        func readPacket() -> [UInt8]? {
            guard let header = self.read(exactly: 4) else { return nil }
            let length =
                Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            guard let body = self.read(exactly: length) else { return nil }
            return header + body
        }

        /// True when the peer closed its end: a read returns end of file.
        func peerClosed() -> Bool {
            var byte: UInt8 = 0
            return recv(self.socket, &byte, 1, 0) == 0
        }

        func write(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes.withUnsafeBytes {
                    send(
                        self.socket, $0.baseAddress! + offset, bytes.count - offset,
                        Int32(MSG_NOSIGNAL))
                }
                guard sent > 0 else { return }
                offset += sent
            }
        }

        /// Replies with a DataMap {1: 1, 2: `payload`}.
        func reply(_ payload: [UInt8]) {
            self.write(DataMap(fields: [1: .int64(1), 2: .string(payload)]).encoded())
        }

        func reply(_ text: String) {
            self.reply(Array(text.utf8))
        }

        private func read(exactly count: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            var offset = 0
            while offset < count {
                let received = bytes.withUnsafeMutableBytes {
                    recv(self.socket, $0.baseAddress! + offset, count - offset, 0)
                }
                guard received > 0 else { return nil }
                offset += received
            }
            return bytes
        }
    }

    let directory: String
    let path: String
    private let listener: Int32
    private let lock = NSLock()
    private var connectionCount = 0
    private let finished = DispatchSemaphore(value: 0)

    /// Starts listening and serving; `handle` runs once per accepted connection, in order.
    init(_ handle: @escaping (Connection) -> Void) throws {
        var template = Array("/tmp/guestsdk-rpc-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw POSIXError(.EIO) }
        self.directory = String(cString: created)
        self.path = self.directory + "/host.sock"

        self.listener = try ScriptedServer.listeningSocket(at: self.path, backlog: 16)
        ScriptedServer.setTimeout(self.listener)

        let thread = Thread { [self] in
            defer { self.finished.signal() }
            while true {
                let accepted = accept(self.listener, nil, nil)
                guard accepted >= 0 else { return }
                ScriptedServer.setTimeout(accepted)
                self.lock.lock()
                self.connectionCount += 1
                self.lock.unlock()
                handle(Connection(socket: accepted))
                close(accepted)
            }
        }
        thread.start()
    }

    /// A Unix socket bound to `path` and listening with `backlog`; the caller owns it.
    static func listeningSocket(at path: String, backlog: Int32) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(descriptor, backlog) == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        return descriptor
    }

    /// The number of connections accepted so far.
    var connections: Int {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.connectionCount
    }

    /// Stops accepting, waits for the serving thread and removes the socket.
    func stop() {
        shutdown(self.listener, Int32(SHUT_RDWR))
        _ = self.finished.wait(timeout: .now() + 10)
        close(self.listener)
        unlink(self.path)
        rmdir(self.directory)
    }

    private static func setTimeout(_ socket: Int32) {
        var value = timeval(tv_sec: 5, tv_usec: 0)
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(socket, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation

/// The least a server built on Dispatch read sources can do: the floor under `RPCServer`'s figures.
///
/// It listens on a Unix stream socket with a Dispatch read source on one serial queue and answers every
/// framed request (4-byte big-endian length + body) with fixed reply bytes: no framer, router, service,
/// counters or logger. As `RPCServer` does, it answers a request that came with its connection inside the
/// accept handler and closes after a one-shot reply; a connection that stays open gets a read source on the
/// same queue. Whatever this server cannot beat, `RPCServer` cannot either while it keeps Dispatch sources.
final class DispatchFloorServer: @unchecked Sendable {
    private let listener: Int32
    private let queue = DispatchQueue(label: "guestsdk.bench.dispatch-floor")
    private let acceptSource: DispatchSourceRead
    private let reply: [UInt8]
    private let closesAfterReply: Bool
    private var connections: [Int32: DispatchSourceRead] = [:]

    /// Starts serving at `path`: `reply` to every request, closing after it when `closesAfterReply`.
    init(path: String, reply: [UInt8], closesAfterReply: Bool) throws {
        self.reply = reply
        self.closesAfterReply = closesAfterReply
        _ = unlink(path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard descriptor >= 0, bound == 0, listen(descriptor, SOMAXCONN) == 0 else {
            throw BlockingSocket.Failure(call: "socket, bind or listen on \(path)", errorNumber: errno)
        }
        self.listener = descriptor
        self.acceptSource = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: self.queue)
        self.acceptSource.setEventHandler { [unowned self] in self.acceptPending() }
        self.acceptSource.setCancelHandler { _ = close(descriptor) }
        self.acceptSource.resume()
    }

    /// Stops accepting and closes every connection.
    func stop() {
        self.queue.sync {
            self.acceptSource.cancel()
            for (descriptor, source) in self.connections {
                source.setCancelHandler { _ = close(descriptor) }
                source.cancel()
            }
            self.connections = [:]
        }
    }

    private func acceptPending() {
        while true {
            let connected = accept(self.listener, nil, nil)
            guard connected >= 0 else { return }
            _ = fcntl(connected, F_SETFL, O_NONBLOCK)
            if self.answer(connected) {
                _ = close(connected)
                continue
            }
            let source = DispatchSource.makeReadSource(fileDescriptor: connected, queue: self.queue)
            source.setEventHandler { [unowned self] in
                guard self.answer(connected) else { return }
                self.connections[connected] = nil
                source.setCancelHandler { _ = close(connected) }
                source.cancel()
            }
            self.connections[connected] = source
            source.resume()
        }
    }

    /// Reads what has arrived and replies once per whole packet; true when the connection should close.
    private func answer(_ descriptor: Int32) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16384) { buffer in
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return false }
            guard count > 0 else { return true }
            var offset = 0
            while offset + 4 <= count {
                let length =
                    Int(buffer[offset]) << 24 | Int(buffer[offset + 1]) << 16 | Int(buffer[offset + 2]) << 8
                    | Int(buffer[offset + 3])
                offset += 4 + length
                _ = self.reply.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            return self.closesAfterReply
        }
    }
}

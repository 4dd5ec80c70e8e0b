// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation
import Glibc
import Testing

@testable import HostAgent

/// The process's open epoll and eventfd descriptors, the kinds an event loop holds; sockets that
/// tests running meanwhile open by the thousand are not counted.
func openLoopDescriptorCount() -> Int {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return names.count { name in
        let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name)
        return target == "anon_inode:[eventpoll]" || target == "anon_inode:[eventfd]"
    }
}

/// An object to hold a weak reference to.
final class Token {}

/// Values appended from any thread.
final class Recorder<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Value] = []

    func append(_ value: Value) {
        self.lock.withLock { self.storage.append(value) }
    }

    var values: [Value] {
        self.lock.withLock { self.storage }
    }
}

/// What a watcher or timer reported, with a bounded wait for the next report.
final class ReportLog: @unchecked Sendable {
    private let condition = NSCondition()
    private var storage: [(String, ContinuousClock.Instant)] = []

    func record(readable: Bool, writable: Bool, failed: Bool) {
        let parts = [(readable, "readable"), (writable, "writable"), (failed, "failed")]
        self.record(parts.filter(\.0).map(\.1).joined(separator: "+"))
    }

    func record(_ text: String) {
        self.condition.lock()
        self.storage.append((text, .now))
        self.condition.broadcast()
        self.condition.unlock()
    }

    var values: [String] {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.storage.map(\.0)
    }

    var firstInstant: ContinuousClock.Instant? {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.storage.first?.1
    }

    /// Waits until at least `count` reports arrived, for at most `seconds`.
    func wait(count: Int, seconds: Double = 5) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.storage.count < count {
            guard self.condition.wait(until: deadline) else { return self.storage.count >= count }
        }
        return true
    }
}

/// A connected Unix stream socket pair, both ends non-blocking, closed when released.
final class SocketPair: @unchecked Sendable {
    let first: Int32
    let second: Int32

    init() throws {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue), 0, &pair) == 0 else {
            throw TestClientError.call("socketpair")
        }
        (self.first, self.second) = (pair[0], pair[1])
    }

    deinit {
        _ = close(self.first)
        _ = close(self.second)
    }

    func writeByte(to descriptor: Int32) {
        var byte: UInt8 = 0x2A
        _ = send(descriptor, &byte, 1, Int32(MSG_NOSIGNAL))
    }

    func readByte(from descriptor: Int32) -> UInt8? {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, 0) == 1 ? byte : nil
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CLibUV
import Glibc

/// Waits in an `ArrivalWatcher` for a socket's first bytes.
protocol ArrivalListener: AnyObject {
    /// Called on the loop's thread once the socket is readable or hung up; `failed` on a socket error.
    func socketBecameReadable(failed: Bool)
}

/// Waits for the first bytes of many sockets of one event loop through an epoll instance of its
/// own, which the loop watches as a single descriptor.
///
/// A guestlib connection is usually accepted before its request arrives. Watching it with a libuv
/// poll handle costs six system calls (libuv's `ioctl` and its `epoll_ctl` check on creating the
/// handle, an `epoll_ctl` to add the socket and one to remove it, and more); here a socket costs one
/// `epoll_ctl`, added with `EPOLLONESHOT` so that it fires once, and one `epoll_wait` on this
/// instance hands over every socket that became readable meanwhile. Closing a socket takes it out
/// of the instance. Use it on the loop's thread only.
final class ArrivalWatcher {
    /// The most sockets one `epoll_wait` hands over; the watch is level-triggered, so more wait a turn.
    private static let batchSize = 64

    private unowned let loop: EventLoop
    private let epoll: Int32
    private var watcher: DescriptorWatcher?
    private var listeners: [UInt64: any ArrivalListener] = [:]
    private var nextToken: UInt64 = 0

    /// Creates the epoll instance; nil when the process is out of descriptors.
    init?(loop: EventLoop) {
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { return nil }
        self.loop = loop
        self.epoll = epoll
    }

    deinit {
        self.watcher?.close()
        _ = Glibc.close(self.epoll)
    }

    /// Waits for `descriptor` to become readable, then tells `listener` once.
    ///
    /// - Returns: the token that cancels the wait, or nil when the socket could not be added (the
    ///   caller then watches it some other way).
    func wait(for descriptor: Int32, listener: any ArrivalListener) -> UInt64? {
        guard self.startWatching() else { return nil }
        self.nextToken &+= 1
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLONESHOT.rawValue
        event.data.u64 = self.nextToken
        guard epoll_ctl(self.epoll, Int32(EPOLL_CTL_ADD), descriptor, &event) == 0 else { return nil }
        self.listeners[self.nextToken] = listener
        return self.nextToken
    }

    /// Stops waiting: the listener is not told. Call it before closing the socket.
    func cancel(_ token: UInt64) {
        self.listeners[token] = nil
    }

    /// Watches the epoll instance on the loop, once.
    private func startWatching() -> Bool {
        if let watcher = self.watcher { return watcher.isOpen }
        guard
            let watcher = try? DescriptorWatcher(
                loop: self.loop, descriptor: self.epoll,
                handler: { [weak self] _, _, _ in self?.handOver() })
        else { return false }
        watcher.watch(readable: true, writable: false)
        self.watcher = watcher
        return true
    }

    /// Tells the listeners of the sockets that became readable.
    private func handOver() {
        withUnsafeTemporaryAllocation(of: epoll_event.self, capacity: Self.batchSize) { events in
            let count = epoll_wait(self.epoll, events.baseAddress, Int32(Self.batchSize), 0)
            for event in events.prefix(max(0, Int(count))) {
                guard let listener = self.listeners.removeValue(forKey: event.data.u64) else { continue }
                listener.socketBecameReadable(failed: event.events & EPOLLERR.rawValue != 0)
            }
        }
    }
}

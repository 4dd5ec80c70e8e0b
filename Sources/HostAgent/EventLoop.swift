// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CLibUV
import Dispatch
import Foundation

/// A libuv event loop running on a thread of its own.
///
/// The RPC server's connections live on a few of these. A loop thread waits in
/// `epoll_wait` and runs a watcher's handler itself, so a request on a kept
/// connection costs one wake-up and three system calls (wait, read, send).
/// Dispatch read sources cost three wake-ups and ten calls for the same request
/// (BENCHMARKS.md), which is why the server moved off them.
///
/// libuv is not thread-safe: watchers and timers are created, changed and closed
/// on the loop's thread only. Other threads hand work over with `execute` or
/// `executeAndWait`.
final class EventLoop: @unchecked Sendable {
    /// The thread's name, shown by debuggers and `top -H`.
    let name: String

    private let loop: UnsafeMutablePointer<uv_loop_t>
    private let wakeUp: UnsafeMutablePointer<uv_async_t>
    private let lock = NSLock()
    private var pendingWork: [() -> Void] = []
    private var isStopping = false
    private var loopThread = pthread_t()
    private let finished = DispatchSemaphore(value: 0)

    /// Starts a loop on a new thread; returns once the thread runs.
    ///
    /// - Parameter name: the thread's name (at most 15 bytes are kept by Linux).
    init(name: String) {
        self.name = name
        self.loop = .allocate(capacity: 1)
        self.wakeUp = .allocate(capacity: 1)
        let initialized = uv_loop_init(self.loop)
        precondition(initialized == 0, "uv_loop_init failed: \(Self.describe(initialized))")
        let asyncInitialized = uv_async_init(self.loop, self.wakeUp) { handle in
            LoopHandleBox.owner(of: handle, as: EventLoop.self)?.runPendingWork()
        }
        precondition(asyncInitialized == 0, "uv_async_init failed: \(Self.describe(asyncInitialized))")
        // The handle keeps the loop alive until `stop()` closes it, as the thread does anyway.
        LoopHandleBox.attach(self, to: self.wakeUp)

        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            self.loopThread = pthread_self()
            started.signal()
            self.run()
        }
        thread.name = name
        thread.start()
        started.wait()
    }

    deinit {
        // The thread, which holds the loop until it ends, has closed it: only the memory is left.
        self.loop.deallocate()
    }

    /// True on the loop's own thread.
    var isCurrent: Bool {
        pthread_equal(pthread_self(), self.loopThread) != 0
    }

    /// The loop for libuv calls; use it on the loop's thread only.
    var handle: UnsafeMutablePointer<uv_loop_t> { self.loop }

    /// Runs `work` on the loop's thread, after the work handed over before it.
    ///
    /// Work handed over after `stop()` is dropped.
    func execute(_ work: @escaping () -> Void) {
        // The wake-up is sent under the lock: once `stop()` has set `isStopping` nobody sends
        // again, so the loop thread may close the wake-up handle as soon as it sees the flag.
        self.lock.withLock {
            guard !self.isStopping else { return }
            self.pendingWork.append(work)
            uv_async_send(self.wakeUp)
        }
    }

    /// Runs `work` on the loop's thread and returns once it has run: at once on the loop's
    /// own thread, otherwise after the work handed over before it.
    ///
    /// Called on another loop's thread it blocks that loop meanwhile; two loops waiting on each
    /// other would deadlock, so a watcher's handler must not call it for a different loop.
    func executeAndWait(_ work: @escaping () -> Void) {
        if self.isCurrent {
            work()
            return
        }
        let done = DispatchSemaphore(value: 0)
        self.execute {
            work()
            done.signal()
        }
        done.wait()
    }

    /// Stops the loop once the work handed over so far has run, closes every watcher and timer
    /// still open, and returns when the thread has ended (at once when called on the loop's thread).
    func stop() {
        let wasStopping = self.lock.withLock {
            defer { self.isStopping = true }
            if !self.isStopping { uv_async_send(self.wakeUp) }
            return self.isStopping
        }
        guard !wasStopping else { return }
        if !self.isCurrent { self.finished.wait() }
    }

    private func run() {
        uv_run(self.loop, UV_RUN_DEFAULT)
        uv_walk(
            self.loop,
            { handle, _ in
                guard let handle, uv_is_closing(handle) == 0 else { return }
                uv_close(handle, LoopHandleBox.handleClosed)
            }, nil)
        uv_run(self.loop, UV_RUN_DEFAULT)
        uv_loop_close(self.loop)
        self.finished.signal()
    }

    private func runPendingWork() {
        let (work, stops) = self.lock.withLock {
            defer { self.pendingWork.removeAll(keepingCapacity: true) }
            return (self.pendingWork, self.isStopping)
        }
        for item in work { item() }
        if stops { uv_stop(self.loop) }
    }

    /// libuv's name and text for an error code, such as `EBADF (bad file descriptor)`.
    static func describe(_ code: Int32) -> String {
        String(cString: uv_err_name(code)) + " (" + String(cString: uv_strerror(code)) + ")"
    }
}

/// Ties a libuv handle to the Swift object its callbacks reach, through the handle's `data`.
///
/// The box is retained while the handle is open and released in the close callback, which also
/// frees the handle's memory, so a handle closed by whoever (its owner, or the loop at `stop()`)
/// never outlives its memory or leaks it.
enum LoopHandleBox {
    /// Stores a retained `owner` in the handle's data.
    static func attach<Handle>(_ owner: AnyObject, to handle: UnsafeMutablePointer<Handle>) {
        let base = UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self)
        base.pointee.data = Unmanaged.passRetained(owner).toOpaque()
    }

    /// The object stored in the handle's data.
    static func owner<Handle, Owner: AnyObject>(of handle: UnsafeMutablePointer<Handle>?, as type: Owner.Type)
        -> Owner?
    {
        guard let handle else { return nil }
        let base = UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self)
        guard let data = base.pointee.data else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(data).takeUnretainedValue() as? Owner
    }

    /// Closes a handle; its box is released and its memory freed once libuv is done with it.
    static func close<Handle>(_ handle: UnsafeMutablePointer<Handle>) {
        let base = UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_handle_t.self)
        guard uv_is_closing(base) == 0 else { return }
        uv_close(base, handleClosed)
    }

    /// The close callback of every handle: releases the box and frees the handle's memory.
    static let handleClosed: uv_close_cb = { handle in
        guard let handle else { return }
        let box = handle.pointee.data.map { Unmanaged<AnyObject>.fromOpaque($0) }
        handle.pointee.data = nil
        box?.release()
        handle.deallocate()
    }
}

/// A descriptor watched by an event loop for reading and writing (libuv's `uv_poll_t`).
///
/// Create, change and close it on the loop's thread. It stays alive, and keeps its handler
/// alive, until `close()`; the descriptor itself stays the caller's to close, which is safe
/// at once after `close()` (libuv removes it from epoll there and then).
final class DescriptorWatcher {
    /// Called on the loop's thread with what the descriptor is ready for; `failed` reports a
    /// polling error (the descriptor should be closed).
    typealias Handler = (_ readable: Bool, _ writable: Bool, _ failed: Bool) -> Void

    private let handle: UnsafeMutablePointer<uv_poll_t>
    private let handler: Handler
    private var watchedEvents: Int32 = 0
    private var isClosed = false

    /// Starts watching nothing yet on `descriptor`; `watch` says what to wait for.
    ///
    /// - Throws: `RPCServerError` when libuv refuses the descriptor.
    init(loop: EventLoop, descriptor: Int32, handler: @escaping Handler) throws {
        self.handle = .allocate(capacity: 1)
        self.handler = handler
        let initialized = uv_poll_init(loop.handle, self.handle, descriptor)
        guard initialized == 0 else {
            self.handle.deallocate()
            throw RPCServerError(
                .systemCallFailed, subject: "descriptor \(descriptor)", systemCall: "uv_poll_init",
                errorNumber: -initialized)
        }
        LoopHandleBox.attach(self, to: self.handle)
    }

    /// Waits for the descriptor to become readable, writable, both or (both false) neither.
    func watch(readable: Bool, writable: Bool) {
        guard !self.isClosed else { return }
        let events =
            (readable ? Int32(UV_READABLE.rawValue) : 0) | (writable ? Int32(UV_WRITABLE.rawValue) : 0)
        guard events != self.watchedEvents else { return }
        self.watchedEvents = events
        guard events != 0 else {
            uv_poll_stop(self.handle)
            return
        }
        uv_poll_start(self.handle, events) { handle, status, events in
            guard let watcher = LoopHandleBox.owner(of: handle, as: DescriptorWatcher.self) else { return }
            watcher.handler(
                events & Int32(UV_READABLE.rawValue) != 0, events & Int32(UV_WRITABLE.rawValue) != 0,
                status < 0)
        }
    }

    /// Stops watching for good; the handler is released once libuv has let go of the handle.
    func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        LoopHandleBox.close(self.handle)
    }
}

/// A one-shot timer on an event loop (libuv's `uv_timer_t`), with millisecond resolution.
///
/// Create, schedule and close it on the loop's thread; it keeps its handler alive until `close()`.
final class LoopTimer {
    private let handle: UnsafeMutablePointer<uv_timer_t>
    private let handler: () -> Void
    private var isClosed = false

    /// Creates a timer that is not scheduled yet.
    init(loop: EventLoop, handler: @escaping () -> Void) {
        self.handle = .allocate(capacity: 1)
        self.handler = handler
        uv_timer_init(loop.handle, self.handle)
        LoopHandleBox.attach(self, to: self.handle)
    }

    /// Runs the handler once after `delay` (rounded up to a millisecond), replacing an earlier schedule.
    func schedule(after delay: Duration) {
        guard !self.isClosed else { return }
        let (seconds, attoseconds) = delay.components
        let wholeMilliseconds = min(max(0, seconds), 1_000_000_000_000) * 1000
        let milliseconds = wholeMilliseconds + (max(0, attoseconds) + 999_999_999_999_999) / 1_000_000_000_000_000
        uv_timer_start(
            self.handle,
            { handle in
                LoopHandleBox.owner(of: handle, as: LoopTimer.self)?.handler()
            }, UInt64(milliseconds), 0)
    }

    /// Cancels the timer for good.
    func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        LoopHandleBox.close(self.handle)
    }
}

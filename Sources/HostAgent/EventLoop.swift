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
    /// The thread-local slot in which a loop's thread keeps its loop, for `isCurrent`.
    private static let currentLoopKey: pthread_key_t = {
        var key = pthread_key_t()
        let created = pthread_key_create(&key, nil)
        precondition(created == 0, "pthread_key_create failed: errno \(created)")
        return key
    }()
    /// Entered while the loop's thread runs; every `stop()` from another thread waits on it.
    private let running = DispatchGroup()
    /// The size of `readBuffer`.
    static let readBufferSize = 16384
    /// Scratch memory for one `read` at a time on the loop's thread, shared by its connections: no
    /// allocation per read. Touch it on the loop's thread only, and keep nothing in it across calls.
    let readBuffer: UnsafeMutableBufferPointer<UInt8>
    /// Waits for the first bytes of new connections more cheaply than a watcher each; nil while it
    /// cannot be made (the process is out of descriptors), and then the next use tries again.
    /// Made on first use; touch it on the loop's thread only.
    var arrivals: ArrivalWatcher? {
        if let watcher = self.arrivalWatcher { return watcher }
        self.arrivalWatcher = ArrivalWatcher(loop: self)
        return self.arrivalWatcher
    }
    private var arrivalWatcher: ArrivalWatcher?

    /// Starts a loop on a new thread; returns once the thread runs.
    ///
    /// - Parameter name: the thread's name (at most 15 bytes are kept by Linux).
    init(name: String) {
        self.name = name
        self.loop = .allocate(capacity: 1)
        self.wakeUp = .allocate(capacity: 1)
        self.readBuffer = .allocate(capacity: Self.readBufferSize)
        let initialized = uv_loop_init(self.loop)
        precondition(initialized == 0, "uv_loop_init failed: \(Self.describe(initialized))")
        let asyncInitialized = uv_async_init(self.loop, self.wakeUp) { handle in
            LoopHandleBox.owner(of: handle, as: EventLoop.self)?.runPendingWork()
        }
        precondition(asyncInitialized == 0, "uv_async_init failed: \(Self.describe(asyncInitialized))")
        // The handle keeps the loop alive until `stop()` closes it, as the thread does anyway.
        LoopHandleBox.attach(self, to: self.wakeUp)

        let started = DispatchSemaphore(value: 0)
        self.running.enter()
        let thread = Thread { [self] in
            pthread_setspecific(Self.currentLoopKey, Unmanaged.passUnretained(self).toOpaque())
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
        self.readBuffer.deallocate()
    }

    /// True on the loop's own thread.
    ///
    /// The thread keeps its loop in thread-local storage: a `pthread_t` comparison would be true
    /// on a new thread that reuses the `pthread_t` of the loop's ended thread.
    var isCurrent: Bool {
        let current: UnsafeMutableRawPointer? = pthread_getspecific(Self.currentLoopKey)
        return current == Unmanaged.passUnretained(self).toOpaque()
    }

    /// The loop for libuv calls; use it on the loop's thread only.
    var handle: UnsafeMutablePointer<uv_loop_t> { self.loop }

    /// Runs `work` on the loop's thread, after the work handed over before it.
    ///
    /// Work handed over after `stop()` is dropped.
    ///
    /// - Returns: false when the work was dropped because the loop is stopping.
    @discardableResult
    func execute(_ work: @escaping () -> Void) -> Bool {
        // The wake-up is sent under the lock: once `stop()` has set `isStopping` nobody sends
        // again, so the loop thread may close the wake-up handle as soon as it sees the flag.
        self.lock.withLock {
            guard !self.isStopping else { return false }
            self.pendingWork.append(work)
            uv_async_send(self.wakeUp)
            return true
        }
    }

    /// Runs `work` on the loop's thread and returns once it has run: at once on the loop's
    /// own thread, otherwise after the work handed over before it.
    ///
    /// Called on another loop's thread it blocks that loop meanwhile; two loops waiting on each
    /// other would deadlock, so a watcher's handler must not call it for a different loop.
    /// After `stop()` the work is dropped and it returns at once.
    func executeAndWait(_ work: @escaping () -> Void) {
        if self.isCurrent {
            work()
            return
        }
        let done = DispatchSemaphore(value: 0)
        let accepted = self.execute {
            work()
            done.signal()
        }
        if accepted { done.wait() }
    }

    /// Stops the loop once the work handed over so far has run, closes every watcher and timer
    /// still open, and returns when the thread has ended (at once when called on the loop's thread).
    ///
    /// Every call from another thread waits for the end, not only the first.
    func stop() {
        self.lock.withLock {
            if !self.isStopping { uv_async_send(self.wakeUp) }
            self.isStopping = true
        }
        if !self.isCurrent { self.running.wait() }
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
        self.running.leave()
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

/// A Swift object that owns a libuv handle and must hear when the handle is gone.
protocol LoopHandleOwner: AnyObject {
    /// Called on the loop's thread once libuv has closed the handle, just before its memory is freed.
    func handleDidClose()
}

/// Ties a libuv handle to the Swift object its callbacks reach, through the handle's `data`.
///
/// The box is retained while the handle is open and released in the close callback, which also
/// frees the handle's memory, so a handle closed by whoever (its owner, or the loop at `stop()`)
/// never outlives its memory or leaks it. An owner that is a `LoopHandleOwner` hears of the close
/// first, so it never touches the freed memory afterwards.
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
        (box?.takeUnretainedValue() as? LoopHandleOwner)?.handleDidClose()
        box?.release()
        handle.deallocate()
    }
}

/// A descriptor watched by an event loop for reading and writing (libuv's `uv_poll_t`).
///
/// Create, change and close it on the loop's thread. It stays alive, and keeps its handler
/// alive, until `close()`; the descriptor itself stays the caller's to close, which is safe
/// at once after `close()` (libuv removes it from epoll there and then).
final class DescriptorWatcher: LoopHandleOwner {
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

    /// False once the watcher is closed, by its owner or by the loop's `stop()`.
    var isOpen: Bool { !self.isClosed }

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

    /// The loop closed the handle (at `stop()`, or after `close()`): its memory is about to go.
    func handleDidClose() {
        self.isClosed = true
    }
}

/// A one-shot timer on an event loop (libuv's `uv_timer_t`), with millisecond resolution.
///
/// Create, schedule and close it on the loop's thread; it keeps its handler alive until `close()`.
final class LoopTimer: LoopHandleOwner {
    private let handle: UnsafeMutablePointer<uv_timer_t>
    private let handler: () -> Void
    private var isClosed = false

    private let loop: EventLoop

    /// Creates a timer that is not scheduled yet.
    init(loop: EventLoop, handler: @escaping () -> Void) {
        self.handle = .allocate(capacity: 1)
        self.handler = handler
        self.loop = loop
        uv_timer_init(loop.handle, self.handle)
        LoopHandleBox.attach(self, to: self.handle)
    }

    /// False once the timer is closed, by its owner or by the loop's `stop()`.
    var isOpen: Bool { !self.isClosed }

    /// Runs the handler once after `delay` (rounded up to a millisecond) from now, replacing an
    /// earlier schedule; never before `delay` has passed.
    ///
    /// libuv counts a timer from the loop's time, cached when the loop's turn began; it is brought
    /// up to date first, or a timer scheduled late in a long turn would fire early. That time is in
    /// whole milliseconds, truncated, so one millisecond more keeps the timer from firing up to a
    /// millisecond early.
    func schedule(after delay: Duration) {
        guard !self.isClosed else { return }
        let (seconds, attoseconds) = delay.components
        let wholeMilliseconds = min(max(0, seconds), 1_000_000_000_000) * 1000
        let milliseconds =
            wholeMilliseconds + (max(0, attoseconds) + 999_999_999_999_999) / 1_000_000_000_000_000 + 1
        uv_update_time(self.loop.handle)
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

    /// The loop closed the handle (at `stop()`, or after `close()`): its memory is about to go.
    func handleDidClose() {
        self.isClosed = true
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation
import Glibc
import Testing

@testable import HostAgent

/// The event loop wrapper over libuv: hand-over of work, stopping, descriptor watchers and timers.
@Suite("EventLoop: libuv loops, watchers and timers")
struct EventLoopTests {
    @Test func executeRunsWorkInOrderOnTheLoopsThread() {
        let loop = EventLoop(name: "test-order")
        defer { loop.stop() }
        let seen = Recorder<(Int, Bool)>()
        let done = DispatchSemaphore(value: 0)

        for index in 0..<200 {
            loop.execute { seen.append((index, loop.isCurrent)) }
        }
        loop.execute { done.signal() }

        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(seen.values.map(\.0) == Array(0..<200))
        #expect(seen.values.allSatisfy { $0.1 })
        #expect(!loop.isCurrent)
    }

    @Test func executeAndWaitReturnsAfterTheWorkRan() {
        let loop = EventLoop(name: "test-wait")
        defer { loop.stop() }
        let seen = Recorder<String>()

        loop.execute { seen.append("first") }
        loop.executeAndWait { seen.append(loop.isCurrent ? "second on the loop" : "second elsewhere") }

        #expect(seen.values == ["first", "second on the loop"])
    }

    @Test func executeAndWaitRunsInlineOnTheLoopsOwnThread() {
        let loop = EventLoop(name: "test-inline")
        defer { loop.stop() }
        let seen = Recorder<String>()
        let done = DispatchSemaphore(value: 0)

        loop.execute {
            loop.executeAndWait { seen.append("inner") }
            seen.append("outer")
            done.signal()
        }

        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(seen.values == ["inner", "outer"])
    }

    @Test func workHandedOverAfterStopIsDropped() {
        let loop = EventLoop(name: "test-dropped")
        let seen = Recorder<String>()
        loop.execute { seen.append("before stop") }

        loop.stop()
        loop.execute { seen.append("after stop") }

        #expect(seen.values == ["before stop"])
    }

    /// `executeAndWait` after `stop()` used to wait forever for work the loop had dropped.
    @Test func executeAndWaitAfterStopReturnsWithoutRunningTheWork() {
        let loop = EventLoop(name: "test-dropwait")
        loop.stop()
        let seen = Recorder<String>()
        let returned = DispatchSemaphore(value: 0)

        Thread {
            loop.executeAndWait { seen.append("ran") }
            returned.signal()
        }.start()

        #expect(returned.wait(timeout: .now() + 5) == .success)
        #expect(seen.values.isEmpty)
    }

    /// `isCurrent` compared `pthread_t`s, which glibc reuses for a thread started after the loop's
    /// thread ended: on it, `executeAndWait` ran work of a stopped loop inline.
    @Test func isCurrentIsFalseOnThreadsStartedAfterTheLoopEnded() {
        let loop = EventLoop(name: "test-reused")
        loop.stop()
        let seen = Recorder<Bool>()

        for _ in 0..<20 {
            let checked = DispatchSemaphore(value: 0)
            Thread {
                seen.append(loop.isCurrent)
                checked.signal()
            }.start()
            #expect(checked.wait(timeout: .now() + 5) == .success)
        }

        #expect(seen.values == Array(repeating: false, count: 20))
    }

    @Test func stopFromTheLoopsOwnThreadDoesNotDeadlock() {
        let loop = EventLoop(name: "test-selfstop")
        let seen = Recorder<String>()
        let stopped = DispatchSemaphore(value: 0)

        loop.execute {
            loop.stop()
            seen.append("stop returned")
            stopped.signal()
        }

        #expect(stopped.wait(timeout: .now() + 5) == .success)
        loop.stop()
        #expect(seen.values == ["stop returned"])
    }

    /// A second `stop()` used to return at once, while the loop still ran the work handed over before.
    @Test func everyStopReturnsOnlyOnceTheLoopHasEnded() {
        let loop = EventLoop(name: "test-twostops")
        let seen = Recorder<String>()
        let started = DispatchSemaphore(value: 0)
        loop.execute {
            started.signal()
            usleep(100_000)  // a slow handler, still running when both stops are called
            seen.append("slow work done")
        }
        #expect(started.wait(timeout: .now() + 5) == .success)
        let otherReturned = DispatchSemaphore(value: 0)
        let seenByOther = Recorder<[String]>()

        Thread {
            loop.stop()
            seenByOther.append(seen.values)
            otherReturned.signal()
        }.start()
        loop.stop()
        let seenHere = seen.values

        #expect(otherReturned.wait(timeout: .now() + 5) == .success)
        #expect(seenHere == ["slow work done"])
        #expect(seenByOther.values == [["slow work done"]])
    }

    /// A loop holds an epoll and an eventfd descriptor; both are closed when it stops. Other tests
    /// run meanwhile, so the count gets a margin far below what 300 leaked loops would hold.
    @Test func stoppedLoopsLeaveNoDescriptorsOpen() {
        let before = openDescriptorCount()

        for index in 0..<300 {
            let loop = EventLoop(name: "test-fd-\(index)")
            loop.executeAndWait {}
            loop.stop()
        }

        #expect(openDescriptorCount() - before < 150)
    }

    @Test func stopClosesOpenWatchersAndTimersAndReleasesTheirHandlers() throws {
        let loop = EventLoop(name: "test-stopclose")
        let pair = try SocketPair()
        weak var watcherHolder: Token?
        weak var timerHolder: Token?
        weak var watcherObject: DescriptorWatcher?
        weak var timerObject: LoopTimer?
        loop.executeAndWait {
            let forWatcher = Token()
            let forTimer = Token()
            watcherHolder = forWatcher
            timerHolder = forTimer
            let watcher = try? DescriptorWatcher(loop: loop, descriptor: pair.first) { _, _, _ in
                _ = forWatcher
            }
            watcher?.watch(readable: true, writable: false)
            let timer = LoopTimer(loop: loop) { _ = forTimer }
            timer.schedule(after: .seconds(60))
            watcherObject = watcher
            timerObject = timer
        }
        #expect(watcherObject != nil)
        #expect(timerObject != nil)

        loop.stop()

        #expect(watcherObject == nil)
        #expect(timerObject == nil)
        #expect(watcherHolder == nil)
        #expect(timerHolder == nil)
    }

    /// A watcher or timer the loop closed at `stop()` used to keep a pointer to freed handle memory,
    /// so its owner's later `watch`, `schedule` or `close` wrote into it.
    @Test func watchersAndTimersClosedByStopIgnoreTheirOwnersLaterCalls() throws {
        let loop = EventLoop(name: "test-afterstop")
        let pair = try SocketPair()
        var watcher: DescriptorWatcher?
        var timer: LoopTimer?
        loop.executeAndWait {
            watcher = try? DescriptorWatcher(loop: loop, descriptor: pair.first) { _, _, _ in }
            watcher?.watch(readable: true, writable: false)
            timer = LoopTimer(loop: loop) {}
            timer?.schedule(after: .seconds(60))
        }
        #expect(watcher?.isOpen == true)
        #expect(timer?.isOpen == true)

        loop.stop()

        #expect(watcher?.isOpen == false)
        #expect(timer?.isOpen == false)
        watcher?.watch(readable: true, writable: true)
        watcher?.close()
        timer?.schedule(after: .milliseconds(1))
        timer?.close()
    }
}

/// Descriptor watchers (`uv_poll_t`) and timers (`uv_timer_t`) on a running loop.
@Suite("EventLoop: watchers and timers")
struct EventLoopWatcherTests {
    @Test func watcherReportsReadableWhenThePeerWrites() throws {
        let loop = EventLoop(name: "test-readable")
        defer { loop.stop() }
        let pair = try SocketPair()
        let reports = ReportLog()
        var watcher: DescriptorWatcher?
        loop.executeAndWait {
            watcher = try? DescriptorWatcher(loop: loop, descriptor: pair.first) { readable, writable, failed in
                reports.record(readable: readable, writable: writable, failed: failed)
                if readable { _ = pair.readByte(from: pair.first) }
            }
            watcher?.watch(readable: true, writable: false)
        }
        #expect(watcher != nil)

        pair.writeByte(to: pair.second)

        #expect(reports.wait(count: 1))
        #expect(reports.values.first == "readable")
        loop.executeAndWait { watcher?.close() }
    }

    @Test func watcherReportsWritableWhileTheSocketHasRoom() throws {
        let loop = EventLoop(name: "test-writable")
        defer { loop.stop() }
        let pair = try SocketPair()
        let reports = ReportLog()
        var watcher: DescriptorWatcher?
        loop.executeAndWait {
            watcher = try? DescriptorWatcher(loop: loop, descriptor: pair.first) { readable, writable, failed in
                reports.record(readable: readable, writable: writable, failed: failed)
                watcher?.watch(readable: false, writable: false)
            }
            watcher?.watch(readable: false, writable: true)
        }

        #expect(reports.wait(count: 1))
        #expect(reports.values == ["writable"])
        loop.executeAndWait { watcher?.close() }
    }

    @Test func watchingNothingStopsTheReports() throws {
        let loop = EventLoop(name: "test-unwatch")
        defer { loop.stop() }
        let pair = try SocketPair()
        let reports = ReportLog()
        var watcher: DescriptorWatcher?
        loop.executeAndWait {
            watcher = try? DescriptorWatcher(loop: loop, descriptor: pair.first) { readable, writable, failed in
                reports.record(readable: readable, writable: writable, failed: failed)
            }
            watcher?.watch(readable: true, writable: true)
            watcher?.watch(readable: false, writable: false)
        }

        pair.writeByte(to: pair.second)
        // Several loop turns, each of which polls the (level-triggered) readable socket.
        for _ in 0..<5 { loop.executeAndWait {} }

        #expect(!reports.wait(count: 1, seconds: 0.1))
        loop.executeAndWait { watcher?.watch(readable: true, writable: false) }
        #expect(reports.wait(count: 1))
        #expect(reports.values.first == "readable")
        loop.executeAndWait { watcher?.close() }
    }

    @Test func closingAWatcherReleasesItsHandler() throws {
        let loop = EventLoop(name: "test-closew")
        defer { loop.stop() }
        let pair = try SocketPair()
        weak var holder: Token?
        loop.executeAndWait {
            let token = Token()
            holder = token
            let watcher = try? DescriptorWatcher(loop: loop, descriptor: pair.first) { _, _, _ in _ = token }
            watcher?.watch(readable: true, writable: false)
            watcher?.close()
        }
        // The close callback runs at the end of the loop turn that closed the handle.
        loop.executeAndWait {}

        #expect(holder == nil)
    }

    @Test func timerFiresOnceAfterItsDelay() {
        let loop = EventLoop(name: "test-timer")
        defer { loop.stop() }
        let fired = ReportLog()
        var timer: LoopTimer?
        let scheduled = Recorder<ContinuousClock.Instant>()
        loop.executeAndWait {
            timer = LoopTimer(loop: loop) { fired.record("fired") }
            scheduled.append(.now)
            timer?.schedule(after: .milliseconds(50))
        }

        #expect(fired.wait(count: 1))
        let elapsed = fired.firstInstant.map { $0 - scheduled.values[0] }
        #expect(elapsed.map { $0 >= .milliseconds(50) } == true, "fired after \(String(describing: elapsed))")
        #expect(!fired.wait(count: 2, seconds: 0.2))
        loop.executeAndWait { timer?.close() }
    }

    /// The timer used libuv's loop time, cached at the start of the loop's turn, so a timer
    /// scheduled late in a long turn fired early by as much as the turn had lasted.
    @Test func timerCountsItsDelayFromScheduleEvenLateInALongLoopTurn() {
        let loop = EventLoop(name: "test-lateturn")
        defer { loop.stop() }
        let fired = ReportLog()
        var timer: LoopTimer?
        let scheduled = Recorder<ContinuousClock.Instant>()
        loop.executeAndWait {
            usleep(80_000)  // a slow handler earlier in the same turn
            timer = LoopTimer(loop: loop) { fired.record("fired") }
            scheduled.append(.now)
            timer?.schedule(after: .milliseconds(50))
        }

        #expect(fired.wait(count: 1))
        let elapsed = fired.firstInstant.map { $0 - scheduled.values[0] }
        #expect(elapsed.map { $0 >= .milliseconds(50) } == true, "fired after \(String(describing: elapsed))")
        loop.executeAndWait { timer?.close() }
    }

    @Test func schedulingAgainReplacesTheEarlierSchedule() {
        let loop = EventLoop(name: "test-resched")
        defer { loop.stop() }
        let fired = ReportLog()
        var timer: LoopTimer?
        loop.executeAndWait {
            timer = LoopTimer(loop: loop) { fired.record("fired") }
            timer?.schedule(after: .seconds(60))
            timer?.schedule(after: .milliseconds(10))
        }

        #expect(fired.wait(count: 1))
        loop.executeAndWait { timer?.schedule(after: .milliseconds(10)) }
        loop.executeAndWait { timer?.schedule(after: .milliseconds(20)) }
        #expect(fired.wait(count: 2))
        #expect(!fired.wait(count: 3, seconds: 0.1))
        loop.executeAndWait { timer?.close() }
    }

    @Test func closingATimerCancelsItAndReleasesItsHandler() {
        let loop = EventLoop(name: "test-closet")
        defer { loop.stop() }
        let fired = ReportLog()
        weak var holder: Token?
        loop.executeAndWait {
            let token = Token()
            holder = token
            let timer = LoopTimer(loop: loop) {
                _ = token
                fired.record("fired")
            }
            timer.schedule(after: .milliseconds(10))
            timer.close()
        }
        loop.executeAndWait {}

        #expect(holder == nil)
        #expect(!fired.wait(count: 1, seconds: 0.1))
    }
}

/// How many descriptors the test process holds open now.
func openDescriptorCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 0
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

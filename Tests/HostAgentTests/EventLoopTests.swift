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
    /// run meanwhile, so only those two kinds are counted (a test with a thousand connections open
    /// once pushed all descriptors 2,011 over), with a margin far below the 600 that 300 leaked
    /// loops would hold.
    @Test func stoppedLoopsLeaveNoDescriptorsOpen() {
        let before = openLoopDescriptorCount()

        for index in 0..<300 {
            let loop = EventLoop(name: "test-fd-\(index)")
            loop.executeAndWait {}
            loop.stop()
        }

        #expect(openLoopDescriptorCount() - before < 150)
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

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation
import Glibc
import Testing

@testable import HostAgent

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

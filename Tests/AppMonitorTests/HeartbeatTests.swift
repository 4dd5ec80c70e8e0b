// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Dispatch
import Foundation
import Testing

/// `Heartbeat`: interval, failure reporting, stop. Waits are bounded and wake on the n-th beat.
@Suite struct HeartbeatTests {
    /// Collects beats and signals each one.
    final class BeatRecorder: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [Heartbeat.Beat] = []
        private var times: [DispatchTime] = []
        let arrived = DispatchSemaphore(value: 0)

        func record(_ beat: Heartbeat.Beat) {
            self.lock.withLock {
                self.storage.append(beat)
                self.times.append(.now())
            }
            self.arrived.signal()
        }

        var beats: [Heartbeat.Beat] { self.lock.withLock { self.storage } }
        var arrivalTimes: [DispatchTime] { self.lock.withLock { self.times } }

        /// Waits for `count` more beats, at most 5 s in all.
        func waitFor(_ count: Int) -> Bool {
            let deadline = DispatchTime.now() + 5
            return (0..<count).allSatisfy { _ in self.arrived.wait(timeout: deadline) == .success }
        }
    }

    @Test func beatsComeOneIntervalApartStartingAtOnce() throws {
        let host = FakeHost()
        let monitor = host.monitor()
        try monitor.enable()
        let recorder = BeatRecorder()
        let heartbeat = Heartbeat(monitor: monitor, interval: 0.05, onBeat: { recorder.record($0) })
        let started = DispatchTime.now()

        heartbeat.start()
        #expect(recorder.waitFor(3))
        heartbeat.stop()

        let times = recorder.arrivalTimes
        #expect(times[0].uptimeNanoseconds - started.uptimeNanoseconds < 40_000_000)
        #expect(times[2].uptimeNanoseconds - started.uptimeNanoseconds >= 2 * 47_000_000)
        #expect(recorder.beats.prefix(3).map(\.number) == [1, 2, 3])
        #expect(recorder.beats.allSatisfy { $0.error == nil })
        #expect(
            Array(host.requests.dropFirst()).allSatisfy { $0 == "GuestAppMonitor.Cmd.MarkActive" })
        #expect(host.made == 1)
    }

    @Test func failedBeatsAreReportedAndTheBeatsGoOn() {
        let host = FakeHost()
        let monitor = host.monitor()
        let recorder = BeatRecorder()
        let heartbeat = Heartbeat(monitor: monitor, interval: 0.01, onBeat: { recorder.record($0) })

        heartbeat.start()
        #expect(recorder.waitFor(3))
        heartbeat.stop()

        let beats = recorder.beats
        #expect(beats.count >= 3)
        #expect(beats.allSatisfy { $0.error?.reason == .notEnabled })
        #expect(heartbeat.beatsSent == beats.count)
    }

    @Test func stopWaitsForTheBeatInFlight() {
        let host = FakeHost()
        let monitor = host.monitor()
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        host.onSend = { _ in
            entered.signal()
            release.wait()
        }
        let recorder = BeatRecorder()
        let heartbeat = Heartbeat(monitor: monitor, interval: 60, onBeat: { recorder.record($0) })
        heartbeat.start()
        #expect(entered.wait(timeout: .now() + 5) == .success)

        let stopped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            heartbeat.stop()
            stopped.signal()
        }
        #expect(stopped.wait(timeout: .now() + 0.2) == .timedOut)
        #expect(recorder.beats.isEmpty)

        release.signal()
        #expect(stopped.wait(timeout: .now() + 5) == .success)
        #expect(recorder.beats.count == 1)
        #expect(heartbeat.beatsSent == 1)
    }

    @Test func stopFromTheBeatCallbackDoesNotDeadlock() {
        let host = FakeHost()
        let monitor = host.monitor()
        let done = DispatchSemaphore(value: 0)
        let box = HeartbeatBox()
        box.heartbeat = Heartbeat(monitor: monitor, interval: 0.01) { _ in
            box.heartbeat?.stop()
            done.signal()
        }
        box.heartbeat?.start()

        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(box.heartbeat?.beatsSent == 1)
    }

    final class HeartbeatBox: @unchecked Sendable {
        var heartbeat: Heartbeat?
    }
}

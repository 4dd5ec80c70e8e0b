// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation
import HostAgent
import Testing

@Suite("Clocks: manual, system and scaled")
struct ClockTests {
    @Test func aManualClockStandsStillUntilAdvanced() {
        let clock = ManualClock(instant: MonotonicInstant(nanoseconds: 5))
        #expect(clock.monotonicNow == MonotonicInstant(nanoseconds: 5))
        clock.advance(by: .milliseconds(2))
        #expect(clock.monotonicNow == MonotonicInstant(nanoseconds: 2_000_005))
    }

    @Test func aManualClockFiresTimersInDeadlineOrderAtTheirExactInstants() {
        let clock = ManualClock()
        let fired = FiredLog()
        let late = clock.makeTimer { fired.append("late", clock.monotonicNow) }
        let early = clock.makeTimer { fired.append("early", clock.monotonicNow) }
        late.schedule(at: .zero.advanced(by: .seconds(3)))
        early.schedule(at: .zero.advanced(by: .seconds(1)))
        clock.advance(by: .seconds(2))
        #expect(fired.entries == ["early@1.000s"])
        clock.advance(by: .seconds(2))
        #expect(fired.entries == ["early@1.000s", "late@3.000s"])
        #expect(clock.monotonicNow == .zero.advanced(by: .seconds(4)))
    }

    @Test func aManualClockTimerMayRescheduleItselfFromItsHandler() {
        let clock = ManualClock()
        let fired = FiredLog()
        let timerBox = TimerBox()
        timerBox.timer = clock.makeTimer {
            fired.append("tick", clock.monotonicNow)
            timerBox.timer?.schedule(at: clock.monotonicNow.advanced(by: .seconds(1)))
        }
        timerBox.timer?.schedule(at: .zero.advanced(by: .seconds(1)))
        clock.advance(by: .milliseconds(3500))
        #expect(fired.entries == ["tick@1.000s", "tick@2.000s", "tick@3.000s"])
    }

    @Test func aCancelledTimerDoesNotFire() {
        let clock = ManualClock()
        let fired = FiredLog()
        let timer = clock.makeTimer { fired.append("x", clock.monotonicNow) }
        timer.schedule(at: .zero.advanced(by: .seconds(1)))
        timer.cancel()
        clock.advance(by: .seconds(5))
        #expect(fired.entries.isEmpty)
        #expect(clock.nextDeadline == nil)
    }

    @Test func aScaledClockRunsFasterThanRealTime() {
        let clock = ScaledClock(speed: 1000)
        let start = DispatchTime.now().uptimeNanoseconds
        let done = DispatchSemaphore(value: 0)
        let timer = clock.makeTimer { done.signal() }
        timer.schedule(at: clock.monotonicNow.advanced(by: .seconds(50)))
        #expect(done.wait(timeout: .now() + 10) == .success)
        let realSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(realSeconds >= 0.049)
        #expect(clock.monotonicNow >= .zero.advanced(by: .seconds(50)))
    }

    @Test func aSystemClockTimerFiresAfterItsDeadline() {
        let clock = SystemClock()
        let deadline = clock.monotonicNow.advanced(by: .milliseconds(20))
        let done = DispatchSemaphore(value: 0)
        let timer = clock.makeTimer { done.signal() }
        timer.schedule(at: deadline)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(clock.monotonicNow >= deadline)
    }

    /// An engine on a scaled clock declares red on its own, without anyone advancing time.
    @Test func anEngineOnAScaledClockTurnsRedAndResets() throws {
        let sink = InMemoryEventSink()
        let engine = HAEngine(clock: ScaledClock(speed: 1000), sink: sink)
        try engine.addVM(named: "vm", settings: .preset(.high), uptime: .seconds(1000))
        try engine.enable(vmNamed: "vm")
        let done = sink.waitForEvent(timeout: .seconds(10)) { $0.kind.name == "reset-done" }
        #expect(done != nil)
        #expect(
            sink.events.map(\.kind.name) == [
                "vm-added", "enabled", "heartbeat-missed", "reset-requested", "reset-started", "reset-done",
            ])
    }
}

@Suite("HA engine: many VMs")
struct HAEngineManyVMsTests {
    @Test func anEngineWithManyVMsDeclaresEachRedAtItsOwnDeadline() throws {
        let clock = ManualClock()
        let sink = InMemoryEventSink()
        let engine = HAEngine(clock: clock, sink: sink)
        var settings = HASettings.preset(.high, vmMonitoring: .vmMonitoringOnly)
        var expected: [String: Duration] = [:]
        var generator = SystemRandomNumberGenerator()
        for index in 0..<500 {
            settings.failureInterval = Int.random(in: 1...300, using: &generator)
            let name = "vm-\(index)"
            try engine.addVM(named: name, settings: settings)
            try engine.enable(vmNamed: name)
            expected[name] = .seconds(settings.failureInterval)
        }
        clock.advance(by: .seconds(301))
        let reds = sink.events.filter { $0.kind.name == "heartbeat-missed" }
        #expect(reds.count == 500)
        #expect(reds.map(\.time) == reds.map(\.time).sorted())
        for red in reds {
            #expect(MonotonicInstant.zero.duration(to: red.time) == expected[red.vmName])
        }
    }
}

/// Records which timer fired when.
private final class FiredLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []

    func append(_ name: String, _ instant: MonotonicInstant) {
        self.lock.withLock { self.storage.append("\(name)@\(instant)") }
    }

    var entries: [String] {
        self.lock.withLock { self.storage }
    }
}

/// Lets a timer's handler reach the timer.
private final class TimerBox: @unchecked Sendable {
    var timer: (any ClockTimer)?
}

@Suite("ManualClock: the wall clock moves with the monotonic one")
struct ManualClockWallTests {
    @Test func theWallClockMovesWithAdvance() {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1000))
        clock.advance(by: .seconds(2))
        clock.advance(by: 0.5)
        #expect(clock.now == Date(timeIntervalSince1970: 1002.5))
        #expect(clock.monotonicNow == .zero.advanced(by: .milliseconds(2500)))
    }

    @Test func goingBackMovesOnlyTheWallClock() {
        let clock = ManualClock(start: Date(timeIntervalSince1970: 1000))
        clock.advance(by: 5)
        clock.advance(by: -3)
        #expect(clock.now == Date(timeIntervalSince1970: 1002))
        #expect(clock.monotonicNow == .zero.advanced(by: .seconds(5)))
        clock.set(to: Date(timeIntervalSince1970: 50))
        #expect(clock.now == Date(timeIntervalSince1970: 50))
        #expect(clock.monotonicNow == .zero.advanced(by: .seconds(5)))
    }

    @Test func eventsCarryTheClocksWallDate() throws {
        let fixture = try HAEngineFixture()
        try fixture.engine.enable(vmNamed: HAEngineFixture.vm)
        #expect(fixture.sink.events.last?.date == Date(timeIntervalSince1970: 1_800_000_000))
    }
}

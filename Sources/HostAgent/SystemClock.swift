// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation

/// The machine's clocks, for the daemon: the wall clock for `now`, CLOCK_MONOTONIC (through
/// Dispatch) for `monotonicNow` and timers.
///
/// Its instants count nanoseconds since the machine booted. Timers are Dispatch timers whose
/// handlers run on one serial queue per clock, so the handlers of one clock never overlap.
public final class SystemClock: Clock, @unchecked Sendable {
    private let queue: DispatchQueue
    private let leeway: DispatchTimeInterval

    /// Creates the clock; `leeway` is how late the system may fire a timer to save wake-ups.
    ///
    /// - Parameters:
    ///   - label: the name of the queue timer handlers run on.
    ///   - leeway: the allowed lateness of a timer; 1 ms by default.
    public init(label: String = "guestsdk.clock", leeway: DispatchTimeInterval = .milliseconds(1)) {
        self.queue = DispatchQueue(label: label)
        self.leeway = leeway
    }

    /// The current time from `Date()`.
    public var now: Date { Date() }

    public var monotonicNow: MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(clamping: DispatchTime.now().uptimeNanoseconds))
    }

    public func makeTimer(_ handler: @escaping @Sendable () -> Void) -> any ClockTimer {
        DispatchClockTimer(queue: self.queue, leeway: self.leeway, handler: handler) { instant in
            DispatchTime(uptimeNanoseconds: UInt64(max(instant.nanoseconds, 1)))
        }
    }
}

/// A clock that runs `speed` times faster than real time, for demonstrations.
///
/// Its monotonic origin is the moment it was created, and its wall clock starts at the real date of
/// that moment. A 30-second failure interval on a clock with speed 10 passes in 3 real seconds.
public final class ScaledClock: Clock, @unchecked Sendable {
    /// How many clock seconds pass per real second.
    public let speed: Double
    private let start: UInt64
    private let startDate: Date
    private let queue: DispatchQueue

    /// Creates a clock at instant zero that runs `speed` times faster than real time.
    ///
    /// - Parameter speed: the factor, greater than zero; 1 is real time.
    public init(speed: Double, label: String = "guestsdk.scaled-clock") {
        precondition(speed > 0, "a clock's speed must be positive")
        self.speed = speed
        self.start = DispatchTime.now().uptimeNanoseconds
        self.startDate = Date()
        self.queue = DispatchQueue(label: label)
    }

    /// The date the clock was created plus the scaled time since.
    public var now: Date {
        self.startDate.addingTimeInterval(Double(self.monotonicNow.nanoseconds) / 1e9)
    }

    public var monotonicNow: MonotonicInstant {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - self.start)
        return MonotonicInstant(nanoseconds: Int64(elapsed * self.speed))
    }

    public func makeTimer(_ handler: @escaping @Sendable () -> Void) -> any ClockTimer {
        let start = self.start
        let speed = self.speed
        return DispatchClockTimer(queue: self.queue, leeway: .milliseconds(1), handler: handler) {
            instant in
            let real = (Double(max(instant.nanoseconds, 0)) / speed).rounded(.up)
            return DispatchTime(uptimeNanoseconds: start + UInt64(min(real, 1e18)))
        }
    }
}

/// A `ClockTimer` on a Dispatch timer source, for the real and scaled clocks.
final class DispatchClockTimer: ClockTimer, @unchecked Sendable {
    private let source: DispatchSourceTimer
    private let leeway: DispatchTimeInterval
    private let realTime: @Sendable (MonotonicInstant) -> DispatchTime

    init(
        queue: DispatchQueue, leeway: DispatchTimeInterval, handler: @escaping @Sendable () -> Void,
        realTime: @escaping @Sendable (MonotonicInstant) -> DispatchTime
    ) {
        self.source = DispatchSource.makeTimerSource(queue: queue)
        self.leeway = leeway
        self.realTime = realTime
        self.source.setEventHandler(handler: handler)
        self.source.schedule(deadline: .distantFuture, repeating: .never)
        self.source.activate()
    }

    deinit {
        self.source.cancel()
    }

    func schedule(at deadline: MonotonicInstant) {
        self.source.schedule(
            deadline: self.realTime(deadline), repeating: .never, leeway: self.leeway)
    }

    func cancel() {
        self.source.schedule(deadline: .distantFuture, repeating: .never)
    }
}

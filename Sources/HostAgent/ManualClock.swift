// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// A clock that stands still until a test advances it, firing every timer whose deadline it passes.
///
/// `advance(by:)` moves time forward in steps: it stops at each armed deadline in order, sets the
/// time to exactly that deadline and runs the timer's handler on the calling thread, then goes on.
/// A handler therefore sees the instant its deadline names, to the nanosecond. The wall clock
/// (`now`) moves with the monotonic one; only it can be set backwards, with `set(to:)` or a
/// negative `advance(by:)`, for tests of a wall clock that jumps.
public final class ManualClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: MonotonicInstant
    /// The wall-clock date at monotonic instant zero.
    private var wallAtZero: Date
    private var timers: [ObjectIdentifier: ManualClockTimer] = [:]

    /// Creates a clock whose wall clock reads `start` and whose monotonic time reads `instant`.
    ///
    /// - Parameters:
    ///   - start: the first date the clock reads; a fixed date by default so that tests are
    ///     repeatable.
    ///   - instant: the first monotonic instant; zero by default.
    public init(
        start: Date = Date(timeIntervalSince1970: 1_800_000_000), instant: MonotonicInstant = .zero
    ) {
        self.current = instant
        self.wallAtZero = start.addingTimeInterval(-Double(instant.nanoseconds) / 1e9)
    }

    /// The wall-clock time: the start date plus the time advanced, plus any jumps set.
    public var now: Date {
        self.lock.withLock { self.wallDate(at: self.current) }
    }

    public var monotonicNow: MonotonicInstant {
        self.lock.withLock { self.current }
    }

    public func makeTimer(_ handler: @escaping @Sendable () -> Void) -> any ClockTimer {
        ManualClockTimer(clock: self, handler: handler)
    }

    /// Moves time forward by `duration`, firing due timers in deadline order; a negative duration
    /// moves only the wall clock back.
    ///
    /// - Parameter duration: how far to move; zero fires the timers that are already due.
    public func advance(by duration: Duration) {
        guard duration >= .zero else {
            self.lock.withLock { self.wallAtZero += duration.totalSeconds }
            return
        }
        self.advance(to: self.monotonicNow.advanced(by: duration))
    }

    /// Moves time forward by `seconds`, firing due timers; a negative value moves only the wall
    /// clock back.
    public func advance(by seconds: TimeInterval) {
        self.advance(by: Duration.nanoseconds(Int64((seconds * 1e9).rounded())))
    }

    /// Sets the wall clock to `date`; the monotonic time does not move and no timer fires.
    public func set(to date: Date) {
        self.lock.withLock {
            self.wallAtZero = date.addingTimeInterval(-Double(self.current.nanoseconds) / 1e9)
        }
    }

    /// Moves monotonic time forward to `target`, firing due timers in deadline order; an earlier
    /// target changes nothing.
    public func advance(to target: MonotonicInstant) {
        while true {
            let due: ManualClockTimer? = self.lock.withLock {
                var next: ManualClockTimer?
                for timer in self.timers.values {
                    guard let deadline = timer.deadline, deadline <= target else { continue }
                    if let best = next?.deadline, best <= deadline { continue }
                    next = timer
                }
                guard let next, let deadline = next.deadline else {
                    self.current = max(self.current, target)
                    return nil
                }
                self.current = max(self.current, deadline)
                next.deadline = nil
                self.timers[ObjectIdentifier(next)] = nil
                return next
            }
            guard let due else { return }
            due.handler()
        }
    }

    /// The earliest armed deadline, or nil when no timer is armed.
    public var nextDeadline: MonotonicInstant? {
        self.lock.withLock { self.timers.values.compactMap(\.deadline).min() }
    }

    private func wallDate(at instant: MonotonicInstant) -> Date {
        self.wallAtZero.addingTimeInterval(Double(instant.nanoseconds) / 1e9)
    }

    fileprivate func arm(_ timer: ManualClockTimer, at deadline: MonotonicInstant?) {
        self.lock.withLock {
            timer.deadline = deadline
            self.timers[ObjectIdentifier(timer)] = deadline == nil ? nil : timer
        }
    }
}

/// A timer of a `ManualClock`; its state is guarded by the clock's lock.
private final class ManualClockTimer: ClockTimer, @unchecked Sendable {
    weak var clock: ManualClock?
    let handler: @Sendable () -> Void
    var deadline: MonotonicInstant?

    init(clock: ManualClock, handler: @escaping @Sendable () -> Void) {
        self.clock = clock
        self.handler = handler
    }

    func schedule(at deadline: MonotonicInstant) {
        self.clock?.arm(self, at: deadline)
    }

    func cancel() {
        self.clock?.arm(self, at: nil)
    }
}

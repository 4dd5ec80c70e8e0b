// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// A clock that stands still until a test advances it, firing every timer whose deadline it passes.
///
/// `advance(by:)` moves time forward in steps: it stops at each armed deadline in order, sets `now`
/// to exactly that deadline and runs the timer's handler on the calling thread, then goes on. A
/// handler therefore sees the instant its deadline names, to the nanosecond.
public final class ManualClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: MonotonicInstant
    private var timers: [ObjectIdentifier: ManualClockTimer] = [:]

    /// Creates a clock standing at `start`.
    public init(start: MonotonicInstant = .zero) {
        self.current = start
    }

    public var now: MonotonicInstant {
        self.lock.withLock { self.current }
    }

    public func makeTimer(_ handler: @escaping @Sendable () -> Void) -> any ClockTimer {
        ManualClockTimer(clock: self, handler: handler)
    }

    /// Moves time forward by `duration`, firing due timers in deadline order.
    ///
    /// - Parameter duration: how far to move; zero fires the timers that are already due.
    public func advance(by duration: Duration) {
        let target = self.now.advanced(by: duration)
        self.advance(to: target)
    }

    /// Moves time forward to `target`, firing due timers in deadline order; an earlier target
    /// changes nothing.
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

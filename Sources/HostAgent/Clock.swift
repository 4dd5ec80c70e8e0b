// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The wall-clock face of the host agent's time source: what the statistics service reads.
///
/// Every clock of the host agent is a `Clock`, which adds monotonic time and timers; code that only
/// needs the date asks for a `HostClock`. Production code uses `SystemClock`; tests use
/// `ManualClock` and move time forward explicitly, so no test sleeps to wait for a deadline
/// (DESIGN.md, "Time is injected").
public protocol HostClock: AnyObject, Sendable {
    /// The current wall-clock time.
    var now: Date { get }
}

/// A source of wall-clock and monotonic time and of wake-ups, injected wherever the host agent
/// makes a timing decision.
///
/// The daemon uses `SystemClock`, tests a `ManualClock` they advance by hand, and the demo a
/// `ScaledClock` that runs faster than real time. The HA engine reads only `monotonicNow`, which
/// never goes backwards; instants from two clocks are never compared.
public protocol Clock: HostClock {
    /// The current monotonic instant; it never goes backwards.
    var monotonicNow: MonotonicInstant { get }

    /// Creates a timer that calls `handler` once each time it is scheduled and its deadline passes.
    ///
    /// - Parameter handler: runs when the deadline has passed; on the clock's own queue for real
    ///   clocks, inside `advance(by:)` for the manual clock. It may reschedule the timer.
    /// - Returns: a timer that is not scheduled yet.
    func makeTimer(_ handler: @escaping @Sendable () -> Void) -> any ClockTimer
}

/// One wake-up of a `Clock`: at most one deadline at a time.
public protocol ClockTimer: AnyObject, Sendable {
    /// Arms the timer for `deadline`, replacing any earlier arming; a past deadline fires at once.
    ///
    /// - Parameter deadline: the instant, on the timer's clock, at or after which the handler runs.
    func schedule(at deadline: MonotonicInstant)

    /// Disarms the timer; a handler already running is not interrupted.
    func cancel()
}

/// A point on a `Clock`'s monotonic time line, in nanoseconds from the clock's own origin.
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin.
    public var nanoseconds: Int64

    /// Creates the instant `nanoseconds` after the clock's origin.
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// The clock's origin.
    public static let zero = MonotonicInstant(nanoseconds: 0)

    /// The instant `duration` later (earlier when negative), saturating at the ends of the range.
    public func advanced(by duration: Duration) -> MonotonicInstant {
        let (sum, overflow) = self.nanoseconds.addingReportingOverflow(duration.totalNanoseconds)
        guard !overflow else {
            return MonotonicInstant(nanoseconds: duration > .zero ? .max : .min)
        }
        return MonotonicInstant(nanoseconds: sum)
    }

    /// The time from `self` to `other`: positive when `other` is later.
    public func duration(to other: MonotonicInstant) -> Duration {
        .nanoseconds(other.nanoseconds &- self.nanoseconds)
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Seconds since the origin with millisecond precision, such as `12.345s`.
    public var description: String {
        String(format: "%.3fs", Double(self.nanoseconds) / 1e9)
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at the ends of `Int64`.
    public var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds > 0 ? .max : .min }
        let (sum, sumOverflow) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !sumOverflow else { return seconds > 0 ? .max : .min }
        return sum
    }

    /// The duration in seconds as a floating-point number.
    public var totalSeconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

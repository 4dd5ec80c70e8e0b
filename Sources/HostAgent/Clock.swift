// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The time source of the host agent: every timing on the host reads one of these.
///
/// Production code uses `SystemClock`; tests use `ManualClock` and move time
/// forward explicitly, so no test sleeps to wait for a deadline (DESIGN.md,
/// "Time is injected").
public protocol HostClock: AnyObject, Sendable {
    /// The current time.
    var now: Date { get }
}

/// The machine's wall clock.
public final class SystemClock: HostClock {
    public init() {}

    /// The current time from `Date()`.
    public var now: Date { Date() }
}

/// A clock that only moves when told to, for tests and simulations.
public final class ManualClock: HostClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// Creates a clock that reads `start` until it is advanced.
    ///
    /// - Parameter start: the first time the clock reads; a fixed date by default so that tests are repeatable.
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.current = start
    }

    /// The time the clock was last set to.
    public var now: Date {
        self.lock.withLock { self.current }
    }

    /// Moves the clock forward (or, for tests of that case, backward) by `seconds`.
    public func advance(by seconds: TimeInterval) {
        self.lock.withLock { self.current += seconds }
    }

    /// Sets the clock to `date`.
    public func set(to date: Date) {
        self.lock.withLock { self.current = date }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// An event sink that keeps every event in memory, for tests and the demo.
///
/// Besides reading the events, a caller can block until an event it expects arrives, with a
/// timeout, which is how code on a real or scaled clock waits without sleeping.
public final class InMemoryEventSink: HAEventSink, @unchecked Sendable {
    private let condition = NSCondition()
    private var storage: [HAEvent] = []
    private let observer: (@Sendable (HAEvent) -> Void)?

    /// Creates an empty sink.
    ///
    /// - Parameter observer: called with each event as it is recorded, such as to print it live; it
    ///   runs under the engine's lock and must not call into the engine.
    public init(observer: (@Sendable (HAEvent) -> Void)? = nil) {
        self.observer = observer
    }

    public func record(_ event: HAEvent) {
        self.condition.lock()
        self.storage.append(event)
        self.condition.broadcast()
        self.condition.unlock()
        self.observer?(event)
    }

    /// Every event so far, oldest first.
    public var events: [HAEvent] {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.storage
    }

    /// The events of one VM, oldest first.
    public func events(forVM name: String) -> [HAEvent] {
        self.events.filter { $0.vmName == name }
    }

    /// Waits until an event after sequence number `after` matches `predicate`, or `timeout` passes.
    ///
    /// - Parameters:
    ///   - after: only events with a higher sequence number count; 0 for all.
    ///   - timeout: the longest wait, in real time.
    ///   - predicate: tells which event is awaited.
    /// - Returns: the first matching event, or nil on timeout.
    public func waitForEvent(
        after: UInt64 = 0, timeout: Duration, where predicate: (HAEvent) -> Bool
    ) -> HAEvent? {
        let limit = Date(timeIntervalSinceNow: timeout.totalSeconds)
        self.condition.lock()
        defer { self.condition.unlock() }
        while true {
            if let match = self.storage.first(where: { $0.sequence > after && predicate($0) }) {
                return match
            }
            guard self.condition.wait(until: limit) else { return nil }
        }
    }
}

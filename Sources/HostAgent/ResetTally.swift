// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// Resets done and held back per VM over the whole life of the state store, not just this run.
///
/// Loaded from the stored events at start and counted on from each new event.
public struct ResetTally: Sendable {
    /// Resets started, by VM.
    public var done: [String: Int] = [:]
    /// Resets held back, by VM and reason (`minUptime`, `maxFailures`, `appMonitoringOff`).
    public var heldBack: [String: [String: Int]] = [:]

    /// Counts one event.
    mutating func count(_ event: StoredEvent) {
        switch event.kind {
        case "reset-started":
            self.done[event.vmName, default: 0] += 1
        case "reset-held-back":
            self.heldBack[event.vmName, default: [:]][event.fields["reason"] ?? "unknown", default: 0] += 1
        default:
            break
        }
    }

    /// Replaces the counts with those of every stored event.
    mutating func load(from store: StateStore) throws {
        self.done = try store.eventCounts(ofKind: "reset-started")
        self.heldBack = [:]
        var after: Int64 = 0
        while true {
            let page = try store.events(after: after, limit: StateStore.maximumPageSize, kind: "reset-held-back")
            guard let last = page.last else { break }
            page.forEach { self.count($0) }
            after = last.id
        }
    }
}

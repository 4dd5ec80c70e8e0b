// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent

/// The soak's event ledger: checks that sequence numbers (or store ids) come without a gap, counts
/// events per VM and kind, and keeps how late each red was declared. It keeps no event, so an hour
/// of 1,000 VMs fits in a few megabytes.
final class SoakLedger: HAEventSink, @unchecked Sendable {
    private let condition = NSCondition()
    private var lastSequence: UInt64 = 0
    private(set) var sequenceGaps = 0
    private var total = 0
    private var counts: [String: [String: Int]] = [:]
    private var lateness: [Double] = []

    func record(_ event: HAEvent) {
        var overdue: Double?
        if case .heartbeatMissed(let late) = event.kind { overdue = late.totalSeconds }
        self.count(sequence: event.sequence, vm: event.vmName, kind: event.kind.name, overdue: overdue)
    }

    /// Takes an event read back from the agent's SQLite store; its id is its sequence number.
    func record(stored event: StoredEvent) {
        let overdue = event.fields["overdue_ms"].flatMap(Double.init).map { $0 / 1000 }
        self.count(sequence: UInt64(max(event.id, 0)), vm: event.vmName, kind: event.kind, overdue: overdue)
    }

    private func count(sequence: UInt64, vm: String, kind: String, overdue: Double?) {
        self.condition.lock()
        defer { self.condition.unlock() }
        if sequence != self.lastSequence + 1 { self.sequenceGaps += 1 }
        self.lastSequence = sequence
        self.total += 1
        self.counts[vm, default: [:]][kind, default: 0] += 1
        if kind == "heartbeat-missed", let overdue { self.lateness.append(overdue) }
        self.condition.broadcast()
    }

    /// Events seen so far.
    var eventCount: Int {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.total
    }

    /// The last sequence number seen.
    var lastSequenceNumber: UInt64 {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.lastSequence
    }

    /// Events per kind name for one VM.
    func counts(forVM name: String) -> [String: Int] {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.counts[name] ?? [:]
    }

    /// How late each red was declared after its deadline, in seconds, in the order declared.
    var redLateness: [Double] {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.lateness
    }

    /// Waits until at least `count` events have arrived, or `timeout` passes; returns whether they did.
    func waitForEvents(atLeast count: Int, timeout: Double) -> Bool {
        let limit = Date(timeIntervalSinceNow: timeout)
        self.condition.lock()
        defer { self.condition.unlock() }
        while self.total < count {
            guard self.condition.wait(until: limit) else { return self.total >= count }
        }
        return true
    }
}

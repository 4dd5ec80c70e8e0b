// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// Per VM, what the last few minutes looked like, one slot per `slotWidth`: how many heartbeats
/// the engine honoured and the worst app status seen, for the dashboard's timeline.
///
/// It learns from the engine's snapshots (`sample(_:at:)`), which `DashboardFeed` takes once per
/// slot and before every read, so it needs no hook in the heartbeat path.
public final class HeartbeatTimeline: @unchecked Sendable {
    /// One slot of one VM's timeline.
    public struct Slot: Equatable, Sendable {
        /// Heartbeats honoured during the slot.
        public var heartbeats: UInt64
        /// The worst status seen during the slot (red over green over gray), or nil when nothing was sampled.
        public var status: AppHeartbeatStatus?

        /// Creates a slot.
        public init(heartbeats: UInt64 = 0, status: AppHeartbeatStatus? = nil) {
            self.heartbeats = heartbeats
            self.status = status
        }

        /// One character: `.` for no sample, `y`/`g`/`r` for gray, green, red; upper case when a
        /// heartbeat arrived in the slot.
        public var code: Character {
            let letter: Character
            switch self.status {
            case nil: return "."
            case .appStatusGray: letter = "y"
            case .appStatusGreen: letter = "g"
            case .appStatusRed: letter = "r"
            }
            return self.heartbeats > 0 ? Character(letter.uppercased()) : letter
        }
    }

    private struct Series {
        var lastCount: UInt64
        /// Slots by absolute slot number modulo `slotCount`, with the absolute number they hold.
        var slots: [(number: Int64, slot: Slot)]
    }

    /// How many slots a VM's timeline holds.
    public let slotCount: Int
    /// How much time one slot covers.
    public let slotWidth: Duration
    private let lock = NSLock()
    private var series: [String: Series] = [:]

    /// Creates an empty timeline.
    ///
    /// - Parameters:
    ///   - slotCount: the number of slots kept per VM; 120 by default.
    ///   - slotWidth: the time one slot covers; 1 s by default.
    public init(slotCount: Int = 120, slotWidth: Duration = .seconds(1)) {
        precondition(slotCount > 0 && slotWidth > .zero, "a timeline needs slots of some width")
        self.slotCount = slotCount
        self.slotWidth = slotWidth
    }

    /// Records the heartbeats honoured since the previous sample and the current status of each VM.
    ///
    /// VMs missing from `states` are forgotten.
    ///
    /// - Parameters:
    ///   - states: the engine's snapshots.
    ///   - now: the instant of the snapshots, on the engine's clock.
    public func sample(_ states: [HAVMState], at now: MonotonicInstant) {
        let number = self.slotNumber(at: now)
        let slotIndex = self.index(of: number)
        self.lock.withLock {
            var next: [String: Series] = [:]
            next.reserveCapacity(states.count)
            for state in states {
                var entry =
                    self.series[state.name]
                    ?? Series(lastCount: 0, slots: Array(repeating: (Int64.min, Slot()), count: self.slotCount))
                let count = state.heartbeatsReceived
                let delta = count >= entry.lastCount ? count - entry.lastCount : count
                entry.lastCount = count
                var slot = entry.slots[slotIndex].number == number ? entry.slots[slotIndex].slot : Slot()
                slot.heartbeats += delta
                slot.status = Self.worse(slot.status, state.status)
                entry.slots[slotIndex] = (number, slot)
                next[state.name] = entry
            }
            self.series = next
        }
    }

    /// A VM's slots, oldest first, ending with the slot that holds `now`; `slotCount` of them.
    ///
    /// - Parameters:
    ///   - name: the VM's name.
    ///   - now: the instant the timeline ends at.
    /// - Returns: the slots; all empty for a VM never sampled.
    public func slots(forVM name: String, at now: MonotonicInstant) -> [Slot] {
        let newest = self.slotNumber(at: now)
        return self.lock.withLock {
            let entry = self.series[name]
            return (0..<Int64(self.slotCount)).map { offset in
                let number = newest - Int64(self.slotCount) + 1 + offset
                guard let held = entry?.slots[self.index(of: number)], held.number == number else { return Slot() }
                return held.slot
            }
        }
    }

    /// A VM's timeline as one character per slot (`Slot.code`), oldest first.
    public func codes(forVM name: String, at now: MonotonicInstant) -> String {
        String(self.slots(forVM: name, at: now).map(\.code))
    }

    /// The absolute number of the slot holding `instant`.
    func slotNumber(at instant: MonotonicInstant) -> Int64 {
        let width = max(self.slotWidth.totalNanoseconds, 1)
        let quotient = instant.nanoseconds / width
        return instant.nanoseconds < 0 && instant.nanoseconds % width != 0 ? quotient - 1 : quotient
    }

    /// Where the slot with absolute number `number` lives in a series' ring.
    private func index(of number: Int64) -> Int {
        let count = Int64(self.slotCount)
        return Int(((number % count) + count) % count)
    }

    private static func worse(_ old: AppHeartbeatStatus?, _ new: AppHeartbeatStatus) -> AppHeartbeatStatus {
        guard let old else { return new }
        return Self.rank(new) > Self.rank(old) ? new : old
    }

    private static func rank(_ status: AppHeartbeatStatus) -> Int {
        switch status {
        case .appStatusGray: 0
        case .appStatusGreen: 1
        case .appStatusRed: 2
        }
    }
}

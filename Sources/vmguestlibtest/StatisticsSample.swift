// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib

/// Every statistic read from a handle after one successful update.
struct StatisticsSample {
    /// One statistic: its name and either its value as text or why there is none.
    struct Reading {
        var name: String
        var value: Result<String, GuestLibError>
        var number: UInt64?
    }

    var index: Int
    var date: Date
    var sessionID: UInt64
    var protocolVersion: UInt32
    var readings: [Reading]
    var elapsedMs: UInt64?
    var cpuUsedMs: UInt64?
    var cpuStolenMs: UInt64?

    /// Reads every statistic of §5.4 through the handle's typed getters' rules.
    init(index: Int, handle: GuestLibHandle) {
        self.index = index
        self.date = Date()
        self.sessionID = (try? handle.sessionID.get()) ?? 0
        self.protocolVersion = handle.protocolVersion ?? 0
        self.readings = StatisticID.allCases.map { id in Self.read(id, from: handle) }
        self.elapsedMs = try? handle.elapsedMs.get()
        self.cpuUsedMs = try? handle.cpuUsedMs.get()
        self.cpuStolenMs = try? handle.cpuStolenMs.get()
    }

    private static func read(_ id: StatisticID, from handle: GuestLibHandle) -> Reading {
        let name = String(describing: id)
        let result: Result<StatisticValue, GuestLibError>
        switch id {
        case .hostMemoryKernelOverheadMB: result = handle.hostMemoryKernelOverheadMB.map { .uint64($0) }
        case .memoryShares64: result = handle.memoryShares64.map { .uint64($0) }
        case .resourcePoolPath: result = handle.resourcePoolPath.map { .bytes(Array($0.utf8)) }
        default: result = handle.value(of: id)
        }
        switch result {
        case .success(let value):
            if let number = value.integerValue {
                return Reading(name: name, value: .success(String(number)), number: number)
            }
            return Reading(name: name, value: .success(String(decoding: value.bytesValue ?? [], as: UTF8.self)))
        case .failure(let error):
            return Reading(name: name, value: .failure(error))
        }
    }
}

/// CPU used and stolen time as shares of the elapsed time between two samples.
struct CPUShares {
    /// Used time over elapsed time (above 1 with several busy vCPUs), or nil when it cannot be computed.
    var used: Double?
    /// Stolen time over elapsed time, or nil when it cannot be computed.
    var stolen: Double?
    /// The elapsed time between the samples, in ms.
    var elapsedMs: UInt64
    /// Why no shares were computed, if they were not.
    var note: String?

    /// Compares two consecutive samples; never divides by zero.
    ///
    /// - Parameters:
    ///   - previous: the earlier sample.
    ///   - current: the later sample.
    init(from previous: StatisticsSample, to current: StatisticsSample) {
        self.used = nil
        self.stolen = nil
        self.elapsedMs = 0
        self.note = nil
        guard previous.sessionID == current.sessionID else {
            self.note = "session changed (vMotion, resume or snapshot revert): the counters restarted"
            return
        }
        guard let before = previous.elapsedMs, let after = current.elapsedMs else {
            self.note = "elapsed time is not available"
            return
        }
        guard after > before else {
            self.note = "elapsed time did not move (the host refreshes its figures once per tick)"
            return
        }
        self.elapsedMs = after - before
        self.used = Self.share(previous.cpuUsedMs, current.cpuUsedMs, over: self.elapsedMs)
        self.stolen = Self.share(previous.cpuStolenMs, current.cpuStolenMs, over: self.elapsedMs)
    }

    private static func share(_ before: UInt64?, _ after: UInt64?, over elapsedMs: UInt64) -> Double? {
        guard let before, let after, after >= before, elapsedMs > 0 else { return nil }
        return Double(after - before) / Double(elapsedMs)
    }

    /// One line of text, such as `cpu used 25.00% of elapsed time, stolen 0.50% (over 1000 ms)`.
    var text: String {
        if let note = self.note { return "cpu shares: not computed: \(note)" }
        return "cpu used \(Self.percent(self.used)) of elapsed time, stolen \(Self.percent(self.stolen))"
            + " (over \(self.elapsedMs) ms)"
    }

    private static func percent(_ share: Double?) -> String {
        guard let share else { return "n/a" }
        return String(format: "%.2f%%", share * 100)
    }
}

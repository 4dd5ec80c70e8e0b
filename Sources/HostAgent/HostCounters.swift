// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// One reading of this machine's CPU and memory counters.
public struct HostCounterReading: Equatable, Sendable {
    /// CPU time spent busy (user, nice, system, irq, softirq) over all CPUs since boot, in ms.
    public var busyMs: UInt64
    /// CPU time stolen by a hypervisor over all CPUs since boot, in ms.
    public var stolenMs: UInt64
    /// Number of CPUs online.
    public var cpuCount: UInt32
    /// `MemTotal`, in MB.
    public var memoryTotalMB: UInt64
    /// `MemFree`, in MB.
    public var memoryFreeMB: UInt64
    /// `MemAvailable`, in MB.
    public var memoryAvailableMB: UInt64
    /// `Active`, in MB.
    public var memoryActiveMB: UInt64
    /// `Shmem`, in MB.
    public var memorySharedMB: UInt64
    /// `SwapTotal` − `SwapFree`, in MB.
    public var swapUsedMB: UInt64

    /// Creates a reading from explicit figures.
    public init(
        busyMs: UInt64, stolenMs: UInt64, cpuCount: UInt32, memoryTotalMB: UInt64, memoryFreeMB: UInt64,
        memoryAvailableMB: UInt64, memoryActiveMB: UInt64, memorySharedMB: UInt64, swapUsedMB: UInt64
    ) {
        self.busyMs = busyMs
        self.stolenMs = stolenMs
        self.cpuCount = cpuCount
        self.memoryTotalMB = memoryTotalMB
        self.memoryFreeMB = memoryFreeMB
        self.memoryAvailableMB = memoryAvailableMB
        self.memoryActiveMB = memoryActiveMB
        self.memorySharedMB = memorySharedMB
        self.swapUsedMB = swapUsedMB
    }
}

/// A source of `HostCounterReading`s, so tests can feed fixed figures.
public protocol HostCounterSource: Sendable {
    /// Reads the counters now.
    ///
    /// - Throws: an error saying which counter file could not be read or parsed.
    func read() throws -> HostCounterReading
}

/// Reads `stat` and `meminfo` under a proc directory (`/proc` by default).
public struct ProcHostCounters: HostCounterSource {
    /// The directory holding `stat` and `meminfo`.
    public var directory: String
    /// Clock ticks per second of the `cpu` line of `stat` (`USER_HZ`, 100 on Linux).
    public var ticksPerSecond: UInt64

    /// Creates a reader of `directory`/stat and `directory`/meminfo.
    public init(directory: String = "/proc", ticksPerSecond: UInt64 = 100) {
        self.directory = directory
        self.ticksPerSecond = ticksPerSecond
    }

    /// Reads and parses both files.
    ///
    /// - Throws: `StatisticsFileError` naming the file that is missing or malformed.
    public func read() throws -> HostCounterReading {
        let statPath = self.directory + "/stat"
        let meminfoPath = self.directory + "/meminfo"
        guard let stat = try? String(contentsOfFile: statPath, encoding: .utf8) else {
            throw StatisticsFileError(path: statPath, reason: "cannot be read")
        }
        guard let meminfo = try? String(contentsOfFile: meminfoPath, encoding: .utf8) else {
            throw StatisticsFileError(path: meminfoPath, reason: "cannot be read")
        }

        var cpuLine: [UInt64]?
        var cpuCount: UInt32 = 0
        for line in stat.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let name = fields.first else { continue }
            if name == "cpu" {
                cpuLine = fields.dropFirst().compactMap { UInt64($0) }
            } else if name.hasPrefix("cpu") {
                cpuCount += 1
            }
        }
        // Fields: user nice system idle iowait irq softirq steal ...
        guard let cpu = cpuLine, cpu.count >= 8 else {
            throw StatisticsFileError(path: statPath, reason: "has no cpu line with 8 counters")
        }
        let millisecondsPerTick = 1000 / max(self.ticksPerSecond, 1)
        let busyTicks = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]

        var memory: [String: UInt64] = [:]
        for line in meminfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let kilobytes = UInt64(parts[1].split(separator: " ").first ?? "") else {
                continue
            }
            memory[String(parts[0])] = kilobytes / 1024
        }
        guard let total = memory["MemTotal"], let free = memory["MemFree"] else {
            throw StatisticsFileError(path: meminfoPath, reason: "has no MemTotal or MemFree")
        }
        let swapTotal = memory["SwapTotal"] ?? 0
        let swapFree = memory["SwapFree"] ?? 0
        return HostCounterReading(
            busyMs: busyTicks * millisecondsPerTick, stolenMs: cpu[7] * millisecondsPerTick,
            cpuCount: max(cpuCount, 1), memoryTotalMB: total, memoryFreeMB: free,
            memoryAvailableMB: memory["MemAvailable"] ?? free, memoryActiveMB: memory["Active"] ?? 0,
            memorySharedMB: memory["Shmem"] ?? 0, swapUsedMB: swapTotal > swapFree ? swapTotal - swapFree : 0
        )
    }
}

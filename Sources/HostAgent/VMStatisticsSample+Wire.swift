// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC

/// One statistic as the host sends it: its id (1...38), whether it is valid, and its value.
public struct HostStatistic: Equatable, Sendable {
    /// The value, in the type the id carries on the wire (PROTOCOL.md §5.4).
    public enum Value: Equatable, Sendable {
        case uint32(UInt32)
        case uint64(UInt64)
        case bytes([UInt8])
    }

    /// The statistic id, 1...38.
    public var id: UInt32
    /// False when the host knows the statistic but cannot provide it.
    public var isValid: Bool
    /// The value; sent even when invalid.
    public var value: Value
}

extension VMStatisticsSample {
    /// The longest resource pool path id 18 carries on a V3 host (`string<512>`).
    static let maximumPathLength = 512

    /// Every statistic this sample's host sends in a V3 reply, in id order.
    ///
    /// The host-wide ids 21–30 are invalid when host info is off, id 8 is invalid when the memory shares do
    /// not fit 32 bits, and the ids in `unavailableStatistics` are invalid; the list stops after
    /// `statisticCount` entries.
    public func statistics() -> [HostStatistic] {
        let values = self.values
        let path = Array(values.resourcePoolPath.utf8)
        let sharesFit = values.memoryShares <= UInt64(UInt32.max)
        let all: [HostStatistic.Value] = [
            .uint32(values.cpuReservationMHz), .uint32(values.cpuLimitMHz), .uint32(values.cpuShares),
            .uint64(self.cpuUsedMs), .uint32(values.hostMHz), .uint32(values.memoryReservationMB),
            .uint32(values.memoryLimitMB), .uint32(sharesFit ? UInt32(values.memoryShares) : 0),
            .uint32(values.memoryMappedMB), .uint32(values.memoryActiveMB), .uint32(values.memoryOverheadMB),
            .uint32(values.memoryBalloonedMB), .uint32(values.memorySwappedMB), .uint32(values.memorySharedMB),
            .uint32(values.memorySharedSavedMB), .uint32(values.memoryUsedMB), .uint64(self.elapsedMs),
            .bytes(Array(path.prefix(Self.maximumPathLength))), .uint64(self.cpuStolenMs),
            .uint64(values.memoryTargetSizeMB), .uint32(values.hostCPUCoreCount), .uint64(self.hostCPUUsedMs),
            .uint64(values.hostMemorySwappedMB), .uint64(values.hostMemorySharedMB),
            .uint64(values.hostMemoryUsedMB), .uint64(values.hostMemoryPhysicalMB),
            .uint64(values.hostMemoryPhysicalFreeMB), .uint64(values.hostMemoryKernelOverheadMB),
            .uint64(values.hostMemoryMappedMB), .uint64(values.hostMemoryUnmappedMB),
            .uint32(values.memoryZippedMB), .uint32(values.memoryZipSavedMB), .uint32(values.memoryLLSwappedMB),
            .uint32(values.memorySwapTargetMB), .uint32(values.memoryBalloonTargetMB),
            .uint32(values.memoryBalloonMaxMB), .bytes(path), .uint64(values.memoryShares),
        ]
        let count = Int(min(max(self.host.statisticCount, 1), UInt32(all.count)))
        return all.prefix(count).enumerated().map { index, value in
            let id = UInt32(index + 1)
            var isValid = !values.unavailableStatistics.contains(id)
            if id == 8 && !sharesFit { isValid = false }
            if (21...30).contains(id) && !self.host.isHostInfoEnabled { isValid = false }
            return HostStatistic(id: id, isValid: isValid, value: value)
        }
    }
}

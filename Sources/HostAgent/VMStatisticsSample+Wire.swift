// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib

extension VMStatisticsSample {
    /// Every statistic this sample's host sends in a V3 reply, in id order from 1.
    ///
    /// The host-wide ids 21–30 are invalid when host info is off, id 8 is invalid when the memory shares do
    /// not fit 32 bits (id 38 then carries them exactly), the ids in `unavailableStatistics` are invalid,
    /// and the list stops after `statisticCount` entries. Id 18 carries at most 512 bytes of the path;
    /// id 37 carries all of it.
    ///
    /// - Returns: the session id and the entries.
    public func snapshot() -> StatisticsSnapshot {
        let values = self.values
        let path = Array(values.resourcePoolPath.utf8)
        let sharesFit = values.memoryShares <= UInt64(UInt32.max)
        let all: [StatisticValue] = [
            .uint32(values.cpuReservationMHz), .uint32(values.cpuLimitMHz), .uint32(values.cpuShares),
            .uint64(self.cpuUsedMs), .uint32(values.hostMHz), .uint32(values.memoryReservationMB),
            .uint32(values.memoryLimitMB), .uint32(sharesFit ? UInt32(values.memoryShares) : 0),
            .uint32(values.memoryMappedMB), .uint32(values.memoryActiveMB), .uint32(values.memoryOverheadMB),
            .uint32(values.memoryBalloonedMB), .uint32(values.memorySwappedMB), .uint32(values.memorySharedMB),
            .uint32(values.memorySharedSavedMB), .uint32(values.memoryUsedMB), .uint64(self.elapsedMs),
            .bytes(Array(path.prefix(StatisticID.maximumPathLength))), .uint64(self.cpuStolenMs),
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
        let entries = all.prefix(count).enumerated().map { index, value in
            let id = StatisticID(rawValue: UInt32(index + 1))!
            var isValid = !values.unavailableStatistics.contains(id.rawValue)
            if id == .memoryShares && !sharesFit { isValid = false }
            if (21...30).contains(id.rawValue) && !self.host.isHostInfoEnabled { isValid = false }
            return StatisticEntry(id: id, isValid: isValid, value: value)
        }
        return StatisticsSnapshot(sessionID: self.sessionID, entries: entries)
    }

    /// The `guestlib.info.get 3` reply data: the 16-byte header, then the XDR list (`GuestLibWire.encodeV3`).
    public func encodedV3() -> [UInt8] {
        GuestLibWire.encodeV3(self.snapshot())
    }

    /// The `guestlib.info.get 2` reply data: the 669-byte image (`GuestLibWire.encodeV2`) of ids 1–18.
    public func encodedV2() -> [UInt8] {
        GuestLibWire.encodeV2(self.snapshot())
    }
}

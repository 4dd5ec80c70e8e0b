// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension VMStatisticsSample {
    /// The stat names `guestlib.stat.get` answers, as the empty name lists them.
    public static let extendedStatNames = ["host", "resources", "session"]

    /// The extended-statistics document for `name`, or nil for a stat this host does not know.
    ///
    /// - Parameter name: `session`, `host`, `resources`, or the empty name for the list of stats.
    /// - Returns: the document.
    public func document(forStat name: String) -> StatisticsDocument? {
        switch name {
        case "": return .object(["stats": .list(Self.extendedStatNames.map { .text($0) })])
        case "session": return self.sessionDocument
        case "host": return self.hostDocument
        case "resources": return self.resourcesDocument
        default: return nil
        }
    }

    private var sessionDocument: StatisticsDocument {
        .object([
            "sessionId": .text("0x" + String(self.sessionID, radix: 16)),
            "started": .text(self.sessionStart.rawValue),
            "elapsedMs": .number(self.elapsedMs),
            "protocolVersion": .number(self.host.protocolVersion == .v3 ? 3 : 2),
        ])
    }

    private var hostDocument: StatisticsDocument {
        var members: [String: StatisticsDocument] = [
            "cpuMHz": .number(UInt64(self.values.hostMHz)),
            "hostInfo": .flag(self.host.isHostInfoEnabled),
        ]
        guard self.host.isHostInfoEnabled else { return .object(members) }
        members["cpuCores"] = .number(UInt64(self.values.hostCPUCoreCount))
        members["cpuUsedMs"] = .number(self.hostCPUUsedMs)
        members["memory"] = .object([
            "physicalMB": .number(self.values.hostMemoryPhysicalMB),
            "physicalFreeMB": .number(self.values.hostMemoryPhysicalFreeMB),
            "usedMB": .number(self.values.hostMemoryUsedMB),
            "sharedMB": .number(self.values.hostMemorySharedMB),
            "swappedMB": .number(self.values.hostMemorySwappedMB),
            "mappedMB": .number(self.values.hostMemoryMappedMB),
            "unmappedMB": .number(self.values.hostMemoryUnmappedMB),
        ])
        return .object(members)
    }

    private var resourcesDocument: StatisticsDocument {
        let values = self.values
        return .object([
            "resourcePoolPath": .text(values.resourcePoolPath),
            "cpu": .object([
                "reservationMHz": .number(UInt64(values.cpuReservationMHz)),
                "limitMHz": .number(UInt64(values.cpuLimitMHz)),
                "shares": .number(UInt64(values.cpuShares)),
                "usedMs": .number(self.cpuUsedMs),
                "stolenMs": .number(self.cpuStolenMs),
                "virtualCPUs": .number(UInt64(values.virtualCPUCount)),
            ]),
            "memory": .object([
                "reservationMB": .number(UInt64(values.memoryReservationMB)),
                "limitMB": .number(UInt64(values.memoryLimitMB)),
                "shares": .number(values.memoryShares),
                "mappedMB": .number(UInt64(values.memoryMappedMB)),
                "activeMB": .number(UInt64(values.memoryActiveMB)),
                "overheadMB": .number(UInt64(values.memoryOverheadMB)),
                "balloonedMB": .number(UInt64(values.memoryBalloonedMB)),
                "swappedMB": .number(UInt64(values.memorySwappedMB)),
                "sharedMB": .number(UInt64(values.memorySharedMB)),
                "sharedSavedMB": .number(UInt64(values.memorySharedSavedMB)),
                "usedMB": .number(UInt64(values.memoryUsedMB)),
                "targetSizeMB": .number(values.memoryTargetSizeMB),
            ]),
        ])
    }
}

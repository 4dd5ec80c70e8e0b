// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// One statistic of a `guestlib.info.get` reply, by its wire id (PROTOCOL.md §5.4).
///
/// The raw value is the id of the V3 enum `GuestLibV3TypeIds`: 1 to 38, in the
/// order a host sends them. Ids 1 to 18 also appear in the V2 image (§5.3).
public enum StatisticID: UInt32, CaseIterable, Sendable {
    case cpuReservationMHz = 1
    case cpuLimitMHz
    case cpuShares
    case cpuUsedMs
    case hostProcessorSpeedMHz
    case memoryReservationMB
    case memoryLimitMB
    case memoryShares
    case memoryMappedMB
    case memoryActiveMB
    case memoryOverheadMB
    case memoryBalloonedMB
    case memorySwappedMB
    case memorySharedMB
    case memorySharedSavedMB
    case memoryUsedMB
    case elapsedMs
    case resourcePoolPath
    case cpuStolenMs
    case memoryTargetSizeMB
    case hostCPUCoreCount
    case hostCPUUsedMs
    case hostMemorySwappedMB
    case hostMemorySharedMB
    case hostMemoryUsedMB
    case hostMemoryPhysicalMB
    case hostMemoryPhysicalFreeMB
    case hostMemoryKernelOverheadMB
    case hostMemoryMappedMB
    case hostMemoryUnmappedMB
    case memoryZippedMB
    case memoryZipSavedMB
    case memoryLLSwappedMB
    case memorySwapTargetMB
    case memoryBalloonTargetMB
    case memoryBalloonMaxMB
    case resourcePoolPathLong
    case memoryShares64 = 38

    /// The shape of a statistic's value on the wire.
    public enum Kind: Equatable, Sendable {
        /// A 32-bit unsigned integer: 4 bytes in XDR, a Stat32 block in V2.
        case uint32
        /// A 64-bit unsigned integer: an XDR hyper, a Stat64 block in V2.
        case uint64
        /// An XDR `string<512>`; in V2 a 512-byte NUL-terminated text area.
        case string
        /// An XDR `opaque<>` without a practical maximum.
        case opaque
    }

    /// The highest id this library knows; a V3 reply with more entries is read up to this id.
    public static let highestKnown: StatisticID = .memoryShares64

    /// Every id in wire order, so entry *i* is `inIDOrder[i]` without a raw-value lookup.
    static let inIDOrder: [StatisticID] = StatisticID.allCases

    /// The highest id the V2 image carries.
    public static let highestInV2: StatisticID = .resourcePoolPath

    /// The maximum length of the `string<512>` resource pool path in a V3 reply.
    public static let maximumPathLength = 512

    /// The value's shape on the wire.
    public var kind: Kind {
        switch self {
        case .cpuUsedMs, .elapsedMs, .cpuStolenMs, .memoryTargetSizeMB, .hostCPUUsedMs, .hostMemorySwappedMB,
            .hostMemorySharedMB, .hostMemoryUsedMB, .hostMemoryPhysicalMB, .hostMemoryPhysicalFreeMB,
            .hostMemoryKernelOverheadMB, .hostMemoryMappedMB, .hostMemoryUnmappedMB, .memoryShares64:
            return .uint64
        case .resourcePoolPath:
            return .string
        case .resourcePoolPathLong:
            return .opaque
        default:
            return .uint32
        }
    }

    /// True when the V2 image (669 bytes) carries this statistic: ids 1 to 18.
    public var isInV2: Bool { self.rawValue <= StatisticID.highestInV2.rawValue }

    /// The zero value of this statistic's kind, which a host sends with `valid = 0`.
    public var zeroValue: StatisticValue {
        switch self.kind {
        case .uint32: return .uint32(0)
        case .uint64: return .uint64(0)
        case .string, .opaque: return .bytes([])
        }
    }

    /// The id's name in `GuestLibV3TypeIds` without its prefix, such as `CPU_RESERVATION_MHZ`.
    public var wireName: String {
        StatisticID.wireNames[Int(self.rawValue) - 1]
    }

    private static let wireNames = [
        "CPU_RESERVATION_MHZ", "CPU_LIMIT_MHZ", "CPU_SHARES", "CPU_USED_MS", "HOST_MHZ", "MEM_RESERVATION_MB",
        "MEM_LIMIT_MB", "MEM_SHARES", "MEM_MAPPED_MB", "MEM_ACTIVE_MB", "MEM_OVERHEAD_MB", "MEM_BALLOONED_MB",
        "MEM_SWAPPED_MB", "MEM_SHARED_MB", "MEM_SHARED_SAVED_MB", "MEM_USED_MB", "ELAPSED_MS", "RESOURCE_POOL_PATH",
        "CPU_STOLEN_MS", "MEM_TARGET_SIZE_MB", "HOST_CPU_NUM_CORES", "HOST_CPU_USED_MS", "HOST_MEM_SWAPPED_MB",
        "HOST_MEM_SHARED_MB", "HOST_MEM_USED_MB", "HOST_MEM_PHYS_MB", "HOST_MEM_PHYS_FREE_MB",
        "HOST_MEM_KERN_OVHD_MB", "HOST_MEM_MAPPED_MB", "HOST_MEM_UNMAPPED_MB", "MEM_ZIPPED_MB", "MEM_ZIPSAVED_MB",
        "MEM_LLSWAPPED_MB", "MEM_SWAP_TARGET_MB", "MEM_BALLOON_TARGET_MB", "MEM_BALLOON_MAX_MB",
        "RESOURCE_POOL_PATH_LONG", "MEM_SHARES_64",
    ]
}

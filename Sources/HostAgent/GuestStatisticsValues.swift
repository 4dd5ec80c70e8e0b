// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The figures a simulated host reports for one VM, before time makes the counters grow.
///
/// The defaults describe a 2-vCPU, 4 GiB VM in a resource pool on a 16-core,
/// 128 GiB host. The JSON keys are the property names; every key is optional
/// in a statistics file (`VMStatisticsConfiguration`), so a file names only what
/// it changes. Counters that grow with time (`cpuUsedMs`, `cpuStolenMs`,
/// `elapsedMs`, `hostCPUUsedMs`) are not set here but derived from the rates.
public struct GuestStatisticsValues: Codable, Equatable, Sendable {
    /// Number of virtual CPUs; the used and stolen rates are per vCPU.
    public var virtualCPUCount: UInt32 = 2
    /// Share of each vCPU's time the guest runs, 0...1; drives `cpuUsedMs` (id 4).
    public var cpuUsage: Double = 0.25
    /// Share of each vCPU's time the guest was ready but not scheduled, 0...1; drives `cpuStolenMs` (id 19).
    public var cpuStolenShare: Double = 0.005
    /// Id 1.
    public var cpuReservationMHz: UInt32 = 1000
    /// Id 2; `4294967295` (0xFFFFFFFF) means unlimited.
    public var cpuLimitMHz: UInt32 = 0xFFFF_FFFF
    /// Id 3; "normal" shares for 2 vCPUs.
    public var cpuShares: UInt32 = 2000
    /// Id 5.
    public var hostMHz: UInt32 = 2600
    /// Id 6.
    public var memoryReservationMB: UInt32 = 1024
    /// Id 7; `4294967295` (0xFFFFFFFF) means unlimited.
    public var memoryLimitMB: UInt32 = 0xFFFF_FFFF
    /// Ids 8 and 38; a value above 4294967295 makes id 8 invalid, and id 38 carries it exactly.
    public var memoryShares: UInt64 = 40960
    /// Id 9.
    public var memoryMappedMB: UInt32 = 3900
    /// Id 10.
    public var memoryActiveMB: UInt32 = 820
    /// Id 11.
    public var memoryOverheadMB: UInt32 = 38
    /// Id 12.
    public var memoryBalloonedMB: UInt32 = 0
    /// Id 13.
    public var memorySwappedMB: UInt32 = 0
    /// Id 14.
    public var memorySharedMB: UInt32 = 310
    /// Id 15.
    public var memorySharedSavedMB: UInt32 = 150
    /// Id 16.
    public var memoryUsedMB: UInt32 = 3590
    /// Ids 18 and 37; id 18 carries at most 512 bytes of it (511 on a V2 host), id 37 all of it.
    public var resourcePoolPath: String = "/host/cluster/Resources/pool"
    /// Id 20.
    public var memoryTargetSizeMB: UInt64 = 4096
    /// Id 21.
    public var hostCPUCoreCount: UInt32 = 16
    /// Share of the host's cores in use, 0...1; drives `hostCPUUsedMs` (id 22).
    public var hostCPUUsage: Double = 0.3
    /// How long the host has been up when the statistics start, in seconds; the base of id 22.
    public var hostUptimeSeconds: UInt64 = 3 * 24 * 3600
    /// Id 23.
    public var hostMemorySwappedMB: UInt64 = 0
    /// Id 24.
    public var hostMemorySharedMB: UInt64 = 2048
    /// Id 25.
    public var hostMemoryUsedMB: UInt64 = 98304
    /// Id 26.
    public var hostMemoryPhysicalMB: UInt64 = 131_072
    /// Id 27.
    public var hostMemoryPhysicalFreeMB: UInt64 = 32768
    /// Id 28 (the client API reports 0 for it whatever the host sends).
    public var hostMemoryKernelOverheadMB: UInt64 = 1200
    /// Id 29.
    public var hostMemoryMappedMB: UInt64 = 96000
    /// Id 30.
    public var hostMemoryUnmappedMB: UInt64 = 35072
    /// Id 31.
    public var memoryZippedMB: UInt32 = 0
    /// Id 32.
    public var memoryZipSavedMB: UInt32 = 0
    /// Id 33.
    public var memoryLLSwappedMB: UInt32 = 0
    /// Id 34.
    public var memorySwapTargetMB: UInt32 = 0
    /// Id 35.
    public var memoryBalloonTargetMB: UInt32 = 0
    /// Id 36.
    public var memoryBalloonMaxMB: UInt32 = 2662
    /// Statistic ids (1...38) the host knows but sends with valid = 0, as a host that cannot provide them does.
    public var unavailableStatistics: [UInt32] = []

    /// The defaults: a 2-vCPU, 4 GiB VM in `/host/cluster/Resources/pool`.
    public init() {}
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A named starting point for a VM's statistics: one of the host behaviours of PROTOCOL.md §15.
///
/// A VM definition's `statisticsProfile` picks one; its `statistics` object is then laid over it.
public enum StatisticsProfile: String, Codable, CaseIterable, Sendable {
    /// A V3 host with guestlib and host info on, sending all 38 statistics (the default).
    case v3
    /// A V2-only host: `guestlib.info.get 3` is answered `0 Unsupported version`.
    case v2Only = "v2-only"
    /// guestlib disabled: every guestlib command is answered `0 Unknown command`.
    case guestlibDisabled = "guestlib-disabled"
    /// Host info off: ids 21–30 are sent invalid.
    case hostInfoOff = "host-info-off"
    /// No CPU or memory limit (`0xFFFFFFFF`), a reservation of 0.
    case noLimit = "no-limit"
    /// Memory shares above 2^32: id 8 invalid, id 38 exact.
    case largeMemoryShares = "large-memory-shares"
    /// A host without id 38 (37 statistics in a V3 reply).
    case withoutStatistic38 = "without-id-38"

    /// The statistics this profile starts from.
    public var configuration: VMStatisticsConfiguration {
        var configuration = VMStatisticsConfiguration()
        switch self {
        case .v3: break
        case .v2Only: configuration.host.protocolVersion = .v2
        case .guestlibDisabled: configuration.host.isGuestLibEnabled = false
        case .hostInfoOff: configuration.host.isHostInfoEnabled = false
        case .noLimit:
            configuration.values.cpuLimitMHz = 0xFFFF_FFFF
            configuration.values.memoryLimitMB = 0xFFFF_FFFF
            configuration.values.cpuReservationMHz = 0
            configuration.values.memoryReservationMB = 0
        case .largeMemoryShares: configuration.values.memoryShares = 5_000_000_000
        case .withoutStatistic38: configuration.host.statisticCount = 37
        }
        return configuration
    }
}

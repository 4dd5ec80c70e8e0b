// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// What kind of host a VM's statistics come from: its protocol, and what it hides.
///
/// Each field selects one of the host behaviours of PROTOCOL.md §15; the
/// defaults are a current V3 host with guestlib and host info on.
public struct GuestLibHostBehaviour: Codable, Equatable, Sendable {
    /// The newest `guestlib.info.get` version a host answers.
    public enum ProtocolVersion: String, Codable, Sendable {
        /// A V3 host: answers 3 and 2; any other version gets `0 3`.
        case v3
        /// A V2-only host: answers 2; any other version gets `0 Unsupported version`.
        case v2
    }

    /// JSON key `protocol`: `"v3"` (default) or `"v2"`.
    public var protocolVersion: ProtocolVersion = .v3
    /// JSON key `guestlibEnabled`; false answers every guestlib command with `0 Unknown command`.
    public var isGuestLibEnabled: Bool = true
    /// JSON key `hostInfo`; false sends the host-wide ids 21–30 with valid = 0.
    public var isHostInfoEnabled: Bool = true
    /// JSON key `statisticCount`: how many ids (1...38) a V3 reply carries; 37 is a host without id 38.
    public var statisticCount: UInt32 = 38

    /// A V3 host with guestlib and host info on, sending all 38 statistics.
    public init() {}

    /// A host of the given kind.
    ///
    /// - Parameters:
    ///   - protocolVersion: the newest version the host answers.
    ///   - isGuestLibEnabled: false answers `0 Unknown command`.
    ///   - isHostInfoEnabled: false marks ids 21–30 invalid.
    ///   - statisticCount: the number of V3 statistics sent, 1...38.
    public init(
        protocolVersion: ProtocolVersion = .v3, isGuestLibEnabled: Bool = true, isHostInfoEnabled: Bool = true,
        statisticCount: UInt32 = 38
    ) {
        self.protocolVersion = protocolVersion
        self.isGuestLibEnabled = isGuestLibEnabled
        self.isHostInfoEnabled = isHostInfoEnabled
        self.statisticCount = statisticCount
    }

    enum CodingKeys: String, CodingKey {
        case protocolVersion = "protocol"
        case isGuestLibEnabled = "guestlibEnabled"
        case isHostInfoEnabled = "hostInfo"
        case statisticCount
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Why a VM's statistics session began: its running instance changed (PROTOCOL.md §5.5).
public enum StatisticsSessionStart: String, Sendable, CaseIterable {
    /// The VM was powered on (or the host agent started serving it).
    case powerOn = "power-on"
    /// The VM moved to another host.
    case vMotion = "vmotion"
    /// The VM was resumed from suspend.
    case resume
    /// The VM was reverted to a snapshot.
    case snapshotRevert = "snapshot-revert"
}

/// The statistics of one VM as they stand during one refresh tick.
///
/// Two updates inside one tick get equal samples. All counters belong to the
/// session named by `sessionID`.
public struct VMStatisticsSample: Equatable, Sendable {
    /// The session these figures belong to; never 0.
    public var sessionID: UInt64
    /// Why the session began.
    public var sessionStart: StatisticsSessionStart
    /// Id 17: milliseconds since the session began, at the start of this tick.
    public var elapsedMs: UInt64
    /// Id 4: CPU time the VM used in this session.
    public var cpuUsedMs: UInt64
    /// Id 19: CPU time the VM was ready to run but not scheduled, in this session.
    public var cpuStolenMs: UInt64
    /// Id 22: CPU time the whole host has used.
    public var hostCPUUsedMs: UInt64
    /// The remaining figures, with any followed host counters already applied.
    public var values: GuestStatisticsValues
    /// The host's behaviour when the sample was taken.
    public var host: GuestLibHostBehaviour

    /// Creates a sample from explicit figures.
    public init(
        sessionID: UInt64, sessionStart: StatisticsSessionStart, elapsedMs: UInt64, cpuUsedMs: UInt64,
        cpuStolenMs: UInt64, hostCPUUsedMs: UInt64, values: GuestStatisticsValues, host: GuestLibHostBehaviour
    ) {
        self.sessionID = sessionID
        self.sessionStart = sessionStart
        self.elapsedMs = elapsedMs
        self.cpuUsedMs = cpuUsedMs
        self.cpuStolenMs = cpuStolenMs
        self.hostCPUUsedMs = hostCPUUsedMs
        self.values = values
        self.host = host
    }
}

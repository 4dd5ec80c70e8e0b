// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A VM's HA monitoring settings, named as vSphere's `ClusterVmToolsMonitoringSettings`
/// (PROTOCOL.md §16).
///
/// Times are whole seconds, as in vSphere. With `vmMonitoring` other than `vmAndAppMonitoring` the
/// engine still tracks the app status (vSphere shows it) but never resets the VM for an application
/// failure; it records a held-back reset with the reason `appMonitoringOff` instead.
public struct HASettings: Equatable, Hashable, Sendable, Codable {
    /// Which failures HA acts on.
    public enum VMMonitoring: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
        /// Nothing is monitored; the vSphere API default.
        case vmMonitoringDisabled
        /// VM heartbeats only: application failures are shown but never acted on.
        case vmMonitoringOnly
        /// VM and application heartbeats: application failures lead to resets.
        case vmAndAppMonitoring
    }

    /// The vSphere sensitivity presets.
    public enum Sensitivity: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
        /// 30 s failure interval, 120 s minimum uptime, 3 resets per hour.
        case high
        /// 60 s failure interval, 240 s minimum uptime, 3 resets per 24 hours.
        case medium
        /// 120 s failure interval, 480 s minimum uptime, 3 resets per 7 days.
        case low
    }

    /// Which failures HA acts on.
    public var vmMonitoring: VMMonitoring
    /// Seconds without a heartbeat before the application is declared failed (red).
    public var failureInterval: Int
    /// Seconds after power-on before monitoring may reset the VM.
    public var minUpTime: Int
    /// Resets allowed within `maxFailureWindow`.
    public var maxFailures: Int
    /// The window for `maxFailures` in seconds; -1 means no window: an absolute count since
    /// power-on.
    public var maxFailureWindow: Int

    /// Creates settings; the defaults are the vSphere API defaults.
    public init(
        vmMonitoring: VMMonitoring = .vmMonitoringDisabled, failureInterval: Int = 30,
        minUpTime: Int = 120,
        maxFailures: Int = 3, maxFailureWindow: Int = -1
    ) {
        self.vmMonitoring = vmMonitoring
        self.failureInterval = failureInterval
        self.minUpTime = minUpTime
        self.maxFailures = maxFailures
        self.maxFailureWindow = maxFailureWindow
    }

    /// The settings of a vSphere sensitivity preset.
    ///
    /// - Parameters:
    ///   - sensitivity: high, medium or low.
    ///   - vmMonitoring: the monitoring setting; application monitoring by default.
    /// - Returns: the preset's failure interval, minimum uptime and reset budget.
    public static func preset(
        _ sensitivity: Sensitivity, vmMonitoring: VMMonitoring = .vmAndAppMonitoring
    ) -> HASettings {
        switch sensitivity {
        case .high:
            HASettings(
                vmMonitoring: vmMonitoring, failureInterval: 30, minUpTime: 120, maxFailures: 3,
                maxFailureWindow: 3600)
        case .medium:
            HASettings(
                vmMonitoring: vmMonitoring, failureInterval: 60, minUpTime: 240, maxFailures: 3,
                maxFailureWindow: 86_400)
        case .low:
            HASettings(
                vmMonitoring: vmMonitoring, failureInterval: 120, minUpTime: 480, maxFailures: 3,
                maxFailureWindow: 604_800)
        }
    }

    /// True when an application failure may reset the VM.
    public var resetsOnApplicationFailure: Bool {
        self.vmMonitoring == .vmAndAppMonitoring
    }

    var failureIntervalDuration: Duration { .seconds(self.failureInterval) }
    var minUpTimeDuration: Duration { .seconds(self.minUpTime) }
    var maxFailureWindowDuration: Duration? {
        self.maxFailureWindow < 0 ? nil : .seconds(self.maxFailureWindow)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A VM's application heartbeat status, as vSphere's `GuestInfo.appHeartbeatStatus` names it.
public enum AppHeartbeatStatus: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
    /// Nothing is enabled: before `Enable`, after `Disable`, after a vMotion or a reset.
    case appStatusGray
    /// Heartbeats arrive within the failure interval.
    case appStatusGreen
    /// The failure interval passed without a heartbeat.
    case appStatusRed

    /// The word `GetAppStatus` replies with: `gray`, `green` or `red` (PROTOCOL.md §15).
    public var wireText: String {
        switch self {
        case .appStatusGray: "gray"
        case .appStatusGreen: "green"
        case .appStatusRed: "red"
        }
    }
}

/// The state an application last posted, as vSphere's `GuestInfo.appState` names it.
public enum AppState: String, Equatable, Hashable, Sendable, Codable, CaseIterable {
    /// Nothing posted since power-on or the last reset.
    case none
    /// The application says it is fine; posted before a pending reset, it cancels it.
    case appStateOk
    /// The application asks for an immediate reset.
    case appStateNeedReset

    /// Parses a `PostAppState` argument: `appStateOk`, `OK`, `ok` or `appStateNeedReset`,
    /// `needReset`, case-insensitively (PROTOCOL.md §15).
    ///
    /// - Returns: the state, or nil for anything else (the host replies `1 5`).
    public init?(postedArgument argument: String) {
        switch argument.lowercased() {
        case "appstateok", "ok": self = .appStateOk
        case "appstateneedreset", "needreset": self = .appStateNeedReset
        default: return nil
        }
    }
}

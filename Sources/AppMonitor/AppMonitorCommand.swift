// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// One of the six `GuestAppMonitor.Cmd.*` requests of PROTOCOL.md §7.1.
public enum AppMonitorCommand: String, CaseIterable, Sendable {
    /// `GuestAppMonitor.Cmd.Enable`: turns heartbeat monitoring on for this VM.
    case enable = "GuestAppMonitor.Cmd.Enable"
    /// `GuestAppMonitor.Cmd.Disable`: turns heartbeat monitoring off.
    case disable = "GuestAppMonitor.Cmd.Disable"
    /// `GuestAppMonitor.Cmd.MarkActive`: one heartbeat.
    case markActive = "GuestAppMonitor.Cmd.MarkActive"
    /// `GuestAppMonitor.Cmd.IsEnabled`: asks whether monitoring is on (`true`/`false`).
    case isEnabled = "GuestAppMonitor.Cmd.IsEnabled"
    /// `GuestAppMonitor.Cmd.GetAppStatus`: asks for the app status (`green`, `red`, `gray`).
    case getAppStatus = "GuestAppMonitor.Cmd.GetAppStatus"
    /// `GuestAppMonitor.Cmd.PostAppState`: posts an app state such as `appStateNeedReset`.
    case postAppState = "GuestAppMonitor.Cmd.PostAppState"

    /// The command name as it travels on the wire, such as `GuestAppMonitor.Cmd.MarkActive`.
    public var wireName: String { self.rawValue }

    /// The exact request bytes (PROTOCOL.md §7.1): the command name alone when
    /// `argument` is nil, with no trailing space; otherwise the name, one space
    /// and the argument verbatim.
    ///
    /// - Parameter argument: the argument bytes, sent as given; nil for none.
    /// - Returns: the request, ASCII with no NUL appended.
    public func requestBytes(argument: [UInt8]? = nil) -> [UInt8] {
        var bytes = Array(self.rawValue.utf8)
        if let argument {
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: argument)
        }
        return bytes
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Glibc

// The seven `VMGuestAppMonitor_*` functions of PROTOCOL.md §8.5. Each sends one
// `GuestAppMonitor.Cmd.*` request through `AppMonitor.shared`, the process-global
// channel of §7.3 (kept open from Enable until a successful Disable), and maps
// the outcome exactly as §7.2 says.

/// C `VMGuestAppMonitorLibError VMGuestAppMonitor_Enable(void)`: `GuestAppMonitor.Cmd.Enable`.
@_cdecl("VMGuestAppMonitor_Enable")
public func VMGuestAppMonitor_Enable() -> Int32 {
    AppMonitor.shared.send(.enable).libraryErrorCode
}

/// C `VMGuestAppMonitorLibError VMGuestAppMonitor_Disable(void)`: `GuestAppMonitor.Cmd.Disable`.
@_cdecl("VMGuestAppMonitor_Disable")
public func VMGuestAppMonitor_Disable() -> Int32 {
    AppMonitor.shared.send(.disable).libraryErrorCode
}

/// C `int VMGuestAppMonitor_IsEnabled(void)`: 1 when the host answers `true` to `GuestAppMonitor.Cmd.IsEnabled`.
@_cdecl("VMGuestAppMonitor_IsEnabled")
public func VMGuestAppMonitor_IsEnabled() -> Int32 {
    AppMonitor.shared.send(.isEnabled).isEnabledFlag ? 1 : 0
}

/// C `VMGuestAppMonitorLibError VMGuestAppMonitor_MarkActive(void)`: `GuestAppMonitor.Cmd.MarkActive`.
@_cdecl("VMGuestAppMonitor_MarkActive")
public func VMGuestAppMonitor_MarkActive() -> Int32 {
    AppMonitor.shared.send(.markActive).libraryErrorCode
}

/// C `char *VMGuestAppMonitor_GetAppStatus(void)`: the reply to `GuestAppMonitor.Cmd.GetAppStatus` as a
/// heap string for `VMGuestAppMonitor_Free`, or NULL on any error or an empty reply.
@_cdecl("VMGuestAppMonitor_GetAppStatus")
public func VMGuestAppMonitor_GetAppStatus() -> UnsafeMutablePointer<CChar>? {
    guard let status = AppMonitor.shared.send(.getAppStatus).appStatusBytes else { return nil }
    return CHeapString.copy(status)
}

/// C `VMGuestAppMonitorLibError VMGuestAppMonitor_PostAppState(const char *state)`:
/// `GuestAppMonitor.Cmd.PostAppState <state>`, the state sent verbatim.
///
/// A NULL state is sent as `(null)`, as the Guest SDK's library formats it; the
/// host refuses it as a bad argument, so the result is `OTHER`.
@_cdecl("VMGuestAppMonitor_PostAppState")
public func VMGuestAppMonitor_PostAppState(_ state: UnsafePointer<CChar>?) -> Int32 {
    let argument = state.map { CHeapString.bytes(of: $0) } ?? Array("(null)".utf8)
    return AppMonitor.shared.send(.postAppState, argument: argument).libraryErrorCode
}

/// C `void VMGuestAppMonitor_Free(char *str)`: frees a `VMGuestAppMonitor_GetAppStatus` result; NULL is allowed.
@_cdecl("VMGuestAppMonitor_Free")
public func VMGuestAppMonitor_Free(_ string: UnsafeMutablePointer<CChar>?) {
    free(string)
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// FIXME: a stand-in for the AppMonitor module's `AppMonitor.shared` until the appmon branch is
// merged; it answers "not running in a VM". Deleting this file after the merge removes it.

final class AppMonitor: Sendable {
    enum Command { case enable, disable, isEnabled, markActive, getAppStatus, postAppState }
    struct Outcome {
        var libraryErrorCode: Int32 { 2 }
        var isEnabledFlag: Bool { false }
        var appStatusBytes: [UInt8]? { nil }
    }
    static let shared = AppMonitor()
    func send(_ command: Command, argument: [UInt8]? = nil) -> Outcome { Outcome() }
}

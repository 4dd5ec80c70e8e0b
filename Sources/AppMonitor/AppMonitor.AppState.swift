// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension AppMonitor {
    // Nested, not top-level: HostAgent has its own `AppState` (the host-side value), and a
    // program that imports both modules names this one `AppMonitor.AppState`.
    /// An application state posted with `PostAppState` (vSphere's `GuestInfo.appState`).
    ///
    /// The raw value is sent verbatim after `GuestAppMonitor.Cmd.PostAppState `.
    public struct AppState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String

        /// Creates a state that is sent as `rawValue`, byte for byte.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// `appStateOk`: the application is fine; cancels a pending need-reset.
        public static let ok = AppState(rawValue: "appStateOk")
        /// `appStateNeedReset`: asks the host to reset the VM at once.
        public static let needReset = AppState(rawValue: "appStateNeedReset")

        public var description: String { self.rawValue }
    }
}

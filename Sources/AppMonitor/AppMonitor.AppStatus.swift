// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension AppMonitor {
    /// The application heartbeat status the host reports (vSphere's
    /// `GuestInfo.appHeartbeatStatus`).
    public struct AppStatus: Equatable, Sendable, CustomStringConvertible {
        /// The three statuses vSphere knows.
        public enum Color: String, CaseIterable, Sendable {
            /// Monitoring is not enabled (`appStatusGray`).
            case gray
            /// Heartbeats arrive in time (`appStatusGreen`).
            case green
            /// The failure interval passed without a heartbeat (`appStatusRed`).
            case red
        }

        /// The status, or nil when the host's text names none of the three.
        public var color: Color?
        /// The host's reply exactly as received, such as `green`.
        public var text: String

        /// Reads a `GetAppStatus` reply: `green`, `red` or `gray` in any case (PROTOCOL.md §15),
        /// also with vSphere's `appStatus` prefix (`appStatusGreen`).
        ///
        /// - Parameter text: the reply after its `1 ` prefix.
        public init(text: String) {
            self.text = text
            var name = text.lowercased()
            if name.hasPrefix("appstatus") {
                name.removeFirst("appstatus".count)
            }
            self.color = Color(rawValue: name)
        }

        /// The color's name when known (`green`), otherwise the host's text.
        public var description: String { self.color?.rawValue ?? self.text }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The limits that keep idle or greedy local clients from holding every control API connection.
///
/// Each limit applies to one listen address: with `127.0.0.1` and `::1` configured, each has its
/// own. The control API listens on TCP only (no Unix socket), so the per-address limit applies to
/// every connection. Every local client connecting to `127.0.0.1` comes from `127.0.0.1`, so the
/// per-address limit protects the operator's own `ctl` only when that client uses another source
/// address (another `127.x.y.z`, or the `::1` listener); docs/control-api.md says how.
public struct ControlConnectionLimits: Equatable, Sendable {
    /// Connections open at once on one listen address (`MHD_OPTION_CONNECTION_LIMIT`); more wait in
    /// the kernel's listen backlog until one closes.
    public var connections: Int
    /// Connections open at once from one client address (`MHD_OPTION_PER_IP_CONNECTION_LIMIT`); more
    /// are closed at once, counted and logged.
    public var connectionsPerClientAddress: Int
    /// Whole seconds a connection may stay silent before it is closed (`MHD_OPTION_CONNECTION_TIMEOUT`):
    /// no request bytes arrive and no reply is being sent.
    public var idleTimeoutSeconds: Int
    /// The shortest time between two warnings of one kind on one listener; what happens in between is
    /// counted into the next warning.
    public var warningInterval: Duration

    /// The daemon's limits: 256 connections per listen address, 32 from one client address, closed
    /// after 10 s of silence, at most one warning of each kind a minute.
    ///
    /// 32 is far more than `ctl` (one connection per command), a dashboard (a browser opens up to 6)
    /// and a Prometheus scrape need, and leaves 224 connections for other client addresses. 10 s is
    /// ten times the dashboard's polling period, so a page that polls keeps its connection.
    public static let standard = ControlConnectionLimits(
        connections: 256, connectionsPerClientAddress: 32, idleTimeoutSeconds: 10, warningInterval: .seconds(60))

    /// Creates limits.
    ///
    /// - Parameters:
    ///   - connections: connections open at once on one listen address; at least 1.
    ///   - connectionsPerClientAddress: connections open at once from one client address; at least 1.
    ///   - idleTimeoutSeconds: seconds of silence before a connection is closed; at least 1.
    ///   - warningInterval: the shortest time between two warnings of one kind.
    public init(connections: Int, connectionsPerClientAddress: Int, idleTimeoutSeconds: Int, warningInterval: Duration)
    {
        self.connections = max(1, connections)
        self.connectionsPerClientAddress = max(1, connectionsPerClientAddress)
        self.idleTimeoutSeconds = max(1, idleTimeoutSeconds)
        self.warningInterval = warningInterval
    }
}

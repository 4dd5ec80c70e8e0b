// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// Counts one control listener's connections and warns when a limit of `ControlConnectionLimits`
/// turns clients away.
///
/// libmicrohttpd reports each connection it opens or closes (`MHD_OPTION_NOTIFY_CONNECTION`) and
/// each one it closes at once for the per-address limit (a log message); the monitor turns these
/// into counts and into warnings, at most one of each kind per `warningInterval`, each with the
/// number of refusals or saturations since the previous one.
final class ControlConnectionMonitor: @unchecked Sendable {
    /// The listener, as `127.0.0.1:8650`, named in every warning.
    let listener: String
    private let limits: ControlConnectionLimits
    private let clock: any Clock
    private let logger: Logger
    private let lock = NSLock()
    private var open = 0
    private var refused = 0
    private var refusalsUnreported = 0
    private var saturationsUnreported = 0
    private var lastRefusalWarning: MonotonicInstant?
    private var lastSaturationWarning: MonotonicInstant?

    init(listener: String, limits: ControlConnectionLimits, clock: any Clock, logger: Logger) {
        self.listener = listener
        self.limits = limits
        self.clock = clock
        self.logger = logger
    }

    /// Connections open now.
    var openConnections: Int {
        self.lock.withLock { self.open }
    }

    /// Connections closed at once because their client address held its limit.
    var refusedConnections: Int {
        self.lock.withLock { self.refused }
    }

    /// Counts a connection libmicrohttpd opened; warns when it fills the listener.
    func connectionOpened() {
        let saturations: Int? = self.lock.withLock {
            self.open += 1
            guard self.open >= self.limits.connections else { return nil }
            self.saturationsUnreported += 1
            return self.takeUnreported(&self.saturationsUnreported, since: &self.lastSaturationWarning)
        }
        guard let saturations else { return }

        self.logger.warning(
            "control API full: new connections wait in the listen backlog until one closes",
            [
                "listener": self.listener, "limit": "\(self.limits.connections)", "timesFull": "\(saturations)",
                "idleTimeoutSeconds": "\(self.limits.idleTimeoutSeconds)",
            ])
    }

    /// Counts a connection libmicrohttpd closed.
    func connectionClosed() {
        self.lock.withLock { self.open = max(0, self.open - 1) }
    }

    /// What libmicrohttpd 0.9.75 logs when it closes a new connection at once because its client
    /// address holds `MHD_OPTION_PER_IP_CONNECTION_LIMIT` connections. It has no other report of
    /// these refusals. The same text would come for a connection accepted past the total limit, but
    /// with epoll the library stops accepting at that limit instead.
    static let refusalMessagePrefix = "Server reached connection limit"

    /// Takes one message of libmicrohttpd's logger: a refusal is counted and warned about, anything
    /// else is logged at debug.
    ///
    /// - Parameter message: the formatted message, usually ending in a newline.
    func record(libraryMessage message: String) {
        if message.hasPrefix(Self.refusalMessagePrefix) {
            self.connectionRefused()
        } else {
            let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
            self.logger.debug("libmicrohttpd: \(text)", ["listener": self.listener])
        }
    }

    /// Counts a connection closed at once because its client address held its limit; warns.
    func connectionRefused() {
        let report: (refusals: Int, total: Int)? = self.lock.withLock {
            self.refused += 1
            self.refusalsUnreported += 1
            let refusals = self.takeUnreported(&self.refusalsUnreported, since: &self.lastRefusalWarning)
            return refusals.map { ($0, self.refused) }
        }
        guard let report else { return }

        self.logger.warning(
            "control API refused connections: one client address holds as many as it may",
            [
                "listener": self.listener, "limitPerClientAddress": "\(self.limits.connectionsPerClientAddress)",
                "refused": "\(report.refusals)", "refusedTotal": "\(report.total)",
                "idleTimeoutSeconds": "\(self.limits.idleTimeoutSeconds)",
            ])
    }

    /// The count to report when a warning is due (none yet, or `warningInterval` since the last);
    /// nil when the event stays counted for a later warning. Runs under the lock.
    private func takeUnreported(_ unreported: inout Int, since lastWarning: inout MonotonicInstant?) -> Int? {
        let now = self.clock.monotonicNow
        if let lastWarning, now < lastWarning.advanced(by: self.limits.warningInterval) { return nil }

        lastWarning = now
        defer { unreported = 0 }
        return unreported
    }
}

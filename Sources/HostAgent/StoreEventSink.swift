// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// The HA engine's event sink in the daemon: commits each event, with what it changes in the VM's
/// monitoring state, to the `StateStore` before the engine acts on it, then tells observers.
public final class StoreEventSink: HAEventSink, @unchecked Sendable {
    private let store: StateStore
    private let logger: Logger
    private let lock = NSLock()
    private var observers: [@Sendable (StoredEvent) -> Void] = []
    private var failures = 0
    private var isClosed = false

    /// Creates a sink writing to `store`.
    ///
    /// - Parameters:
    ///   - store: the state store.
    ///   - logger: receives a critical line when an event cannot be committed.
    public init(store: StateStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Adds an observer called with every stored event, after its commit, on the engine's thread.
    ///
    /// An observer must return quickly and must not call into the HA engine.
    public func addObserver(_ observer: @escaping @Sendable (StoredEvent) -> Void) {
        self.lock.withLock { self.observers.append(observer) }
    }

    /// Stops storing: events after this are dropped (with a debug line), so an engine left running
    /// in a process after `HostDaemon.stop()` writes nothing more to a store that is done.
    public func close() {
        self.lock.withLock { self.isClosed = true }
    }

    /// Events that could not be committed since the sink was created.
    public var failedCommits: Int {
        self.lock.withLock { self.failures }
    }

    public func record(_ event: HAEvent) {
        guard !self.lock.withLock({ self.isClosed }) else {
            self.logger.debug("event after stop not stored", ["vm": event.vmName, "event": event.kind.name])
            return
        }
        var stored = StoredEvent(
            date: event.date, vmName: event.vmName, kind: event.kind.name,
            fields: Dictionary(event.kind.fields.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }),
            appStatus: event.status.rawValue, appState: event.appState.rawValue)
        do {
            stored = try self.store.append(stored, change: Self.change(for: event))
        } catch {
            // FIXME: the engine cannot be stopped from acting on an event the store refused (the
            // sink protocol does not throw), so the event is only logged. A throwing sink that makes
            // the engine hold the action back would close the gap.
            let count = self.lock.withLock {
                self.failures += 1
                return self.failures
            }
            self.logger.critical(
                "event not committed",
                [
                    "vm": event.vmName, "event": event.kind.name, "failures": "\(count)",
                    "error": "\(error)",
                ])
            return
        }
        let observers = self.lock.withLock { self.observers }
        observers.forEach { $0(stored) }
    }

    /// What an event changes in the VM's stored monitoring state.
    static func change(for event: HAEvent) -> MonitoringChange {
        switch event.kind {
        case .enabled, .heartbeatResumed:
            return MonitoringChange(isEnabled: true)
        case .disabled:
            return MonitoringChange(isEnabled: false)
        case .vMotion:
            return MonitoringChange(isEnabled: false, clearsResets: true)
        case .resetStarted:
            return MonitoringChange(isEnabled: false, poweredOnAt: event.date, resetAt: event.date)
        case .powerCycle:
            return MonitoringChange(isEnabled: false, poweredOnAt: event.date, clearsResets: true)
        default:
            return MonitoringChange()
        }
    }
}

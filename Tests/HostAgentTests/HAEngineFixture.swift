// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC
import HostAgent
import Testing

/// One HA engine on a manual clock with one VM, for the policy tests.
final class HAEngineFixture {
    static let vm = "vm-1"

    /// Application monitoring on, 30 s interval, 120 s minimum uptime, 3 resets, no window.
    static let appMonitoring = HASettings(
        vmMonitoring: .vmAndAppMonitoring, failureInterval: 30, minUpTime: 120, maxFailures: 3,
        maxFailureWindow: -1)

    let clock = ManualClock()
    let sink = InMemoryEventSink()
    let log = InMemoryLog()
    let engine: HAEngine

    /// Creates the engine; the VM has been up for `uptime` (long enough for any minimum uptime by
    /// default).
    init(
        settings: HASettings = HAEngineFixture.appMonitoring, uptime: Duration = .seconds(100_000),
        resetDelay: Duration = .seconds(1), resetAction: any ResetAction = SimulatedResetAction()
    ) throws {
        self.engine = HAEngine(
            clock: self.clock, sink: self.sink, resetAction: resetAction,
            configuration: HAEngine.Configuration(resetDelay: resetDelay),
            logger: self.log.logger(label: "ha"))
        try self.engine.addVM(named: Self.vm, settings: settings, uptime: uptime)
    }

    /// The VM's state now.
    var state: HAVMState {
        get throws { try #require(self.engine.state(ofVM: Self.vm)) }
    }

    /// The event kinds after `vmAdded`, oldest first.
    var kinds: [HAEvent.Kind] {
        self.sink.events.map(\.kind).filter { $0 != .vmAdded }
    }

    /// The event names after `vm-added`, oldest first.
    var names: [String] {
        self.kinds.map(\.name)
    }

    /// Seconds on the clock at which events of `name` happened.
    func times(of name: String) -> [Duration] {
        self.sink.events.filter { $0.kind.name == name }.map {
            MonotonicInstant.zero.duration(to: $0.time)
        }
    }

    func advance(_ duration: Duration) {
        self.clock.advance(by: duration)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import HostAgent
import Testing

@Suite("HA engine: concurrent callers")
struct HAEngineConcurrencyTests {
    /// Eight threads heartbeat their own VMs while the clock advances and deadlines fire on another
    /// thread: every heartbeat is counted and no VM turns red.
    @Test func heartbeatsFromManyThreadsWhileDeadlinesFire() throws {
        let clock = ManualClock()
        let sink = InMemoryEventSink()
        let engine = HAEngine(clock: clock, sink: sink)
        let names = (0..<8).map { "vm-\($0)" }
        for name in names {
            try engine.addVM(named: name, settings: .preset(.high), uptime: .seconds(3600))
            try engine.enable(vmNamed: name)
        }
        DispatchQueue.concurrentPerform(iterations: names.count + 1) { index in
            if index == names.count {
                for _ in 0..<2000 {
                    clock.advance(by: .milliseconds(10))
                }
            } else {
                for _ in 0..<2000 {
                    try? engine.markActive(vmNamed: names[index])
                }
            }
        }
        #expect(engine.states().map(\.heartbeatsReceived) == Array(repeating: 2000, count: names.count))
        #expect(engine.states().allSatisfy { $0.status == .appStatusGreen })
        #expect(!sink.events.contains { $0.kind.name == "heartbeat-missed" })
    }
}

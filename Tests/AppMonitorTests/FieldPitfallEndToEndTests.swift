// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import GuestRPC
import Testing

/// Field pitfalls of PROTOCOL.md §17 seen from the guest, over a real socket to the HA engine.
@Suite struct FieldPitfallEndToEndTests {
    let host: TestHost

    init() throws {
        self.host = try TestHost()
    }

    /// §17 3: after a vMotion the status is gray and `MarkActive` fails until the application
    /// enables again.
    @Test func afterVMotionMarkActiveFailsUntilEnable() throws {
        let monitor = AppMonitor(endpoint: self.host.endpoint)
        try monitor.enable()
        try monitor.markActive()
        try self.host.engine.vMotion(vmNamed: TestHost.vmName)

        let error = #expect(throws: AppMonitorError.self) { try monitor.markActive() }
        #expect(error?.reason == .notEnabled)
        #expect(try monitor.appStatus().color == .gray)
        #expect(try !monitor.isEnabled())
        #expect(monitor.hasOpenChannel)

        try monitor.enable()
        try monitor.markActive()
        #expect(try monitor.appStatus().color == .green)
    }

    /// §17 3 with a running `Heartbeat`: its failures are reported and it keeps beating, so
    /// enabling again is enough to turn the status green.
    @Test func heartbeatRidesThroughAVMotion() throws {
        let monitor = AppMonitor(endpoint: self.host.endpoint)
        try monitor.enable()
        let failed = DispatchSemaphore(value: 0)
        let succeeded = DispatchSemaphore(value: 0)
        let heartbeat = Heartbeat(monitor: monitor, interval: 0.01) { beat in
            if beat.error?.reason == .notEnabled { failed.signal() }
            if beat.error == nil { succeeded.signal() }
        }
        try self.host.engine.vMotion(vmNamed: TestHost.vmName)
        heartbeat.start()
        #expect(failed.wait(timeout: .now() + 10) == .success)

        let heartbeatsBefore = self.host.heartbeats
        try monitor.enable()
        #expect(succeeded.wait(timeout: .now() + 10) == .success)
        heartbeat.stop()
        #expect(self.host.heartbeats > heartbeatsBefore)
        #expect(self.host.status == "green")
    }

    /// §17 9: an application that stops heartbeating without `Disable` turns red and is reset.
    @Test func stoppingWithoutDisableLeadsToRedAndAReset() throws {
        let monitor = AppMonitor(endpoint: self.host.endpoint)
        try monitor.enable()
        try monitor.markActive()

        self.host.advance(seconds: 29)
        #expect(self.host.status == "green")
        self.host.advance(seconds: 1)
        #expect(try monitor.appStatus().color == .red)
        self.host.advance(seconds: 1)
        #expect(self.host.resetsDone == 1)
    }

    /// §17 9: with `Disable` first the status is gray and no reset follows.
    @Test func disablingFirstLeavesGrayAndNoReset() throws {
        let monitor = AppMonitor(endpoint: self.host.endpoint)
        try monitor.enable()
        try monitor.markActive()
        try monitor.disable()

        self.host.advance(seconds: 600)
        #expect(try monitor.appStatus().color == .gray)
        #expect(self.host.resetsDone == 0)
    }
}

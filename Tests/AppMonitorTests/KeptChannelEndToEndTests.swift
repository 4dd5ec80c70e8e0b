// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import GuestRPC
import Testing

/// The kept channel of §7.3 over a real Unix socket to an in-process host agent.
@Suite struct KeptChannelEndToEndTests {
    let host: TestHost

    init() throws {
        self.host = try TestHost()
    }

    /// Field pitfall §17 10: once enabled, heartbeats keep flowing on the kept
    /// connection although no new connection can be opened, and the host never turns red.
    @Test func heartbeatsFlowOnTheKeptConnectionAfterTheSocketPathIsGone() throws {
        let monitor = AppMonitor(endpoint: self.host.endpoint)
        try monitor.enable()
        try FileManager.default.moveItem(
            atPath: self.host.socketPath, toPath: self.host.socketPath + ".moved")

        let newcomer = AppMonitor(endpoint: self.host.endpoint)
        #expect(newcomer.send(.isEnabled).libraryErrorCode == 3)
        for _ in 0..<20 {
            self.host.advance(seconds: 20)
            try monitor.markActive()
            #expect(self.host.status == "green")
        }
        #expect(self.host.heartbeats == 20)
        #expect(try monitor.isEnabled())
    }

    @Test func heartbeatsUseOneConnectionFromEnableToDisable() throws {
        let monitor = AppMonitor(endpoint: self.host.endpoint)
        try monitor.enable()
        for _ in 0..<5 {
            try monitor.markActive()
        }
        #expect(self.host.server.statistics.connectionsAccepted == 1)

        try monitor.disable()
        #expect(!monitor.hasOpenChannel)
        _ = try monitor.appStatus()
        _ = try monitor.appStatus()
        #expect(self.host.server.statistics.connectionsAccepted == 3)
    }

    @Test func connectionClosedByTheHostIsReopenedForTheNextHeartbeat() throws {
        let monitor = AppMonitor(endpoint: self.host.endpoint)
        try monitor.enable()
        try self.host.restartEndpoint()

        try monitor.markActive()
        #expect(self.host.heartbeats == 1)
        #expect(monitor.hasOpenChannel)
        #expect(self.host.server.statistics.connectionsAccepted == 2)
    }

    @Test func heartbeatTypeKeepsTheHostGreen() throws {
        let monitor = AppMonitor(endpoint: self.host.endpoint)
        try monitor.enable()
        let arrived = DispatchSemaphore(value: 0)
        let heartbeat = Heartbeat(monitor: monitor, interval: 0.01) { beat in
            if beat.error == nil { arrived.signal() }
        }
        heartbeat.start()
        let deadline = DispatchTime.now() + 10
        #expect((0..<3).allSatisfy { _ in arrived.wait(timeout: deadline) == .success })
        heartbeat.stop()

        #expect(self.host.heartbeats == heartbeat.beatsSent)
        #expect(self.host.server.statistics.connectionsAccepted == 1)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Testing

/// The exact request bytes of PROTOCOL.md §7.1.
@Suite struct RequestBytesTests {
    @Test func commandsWithoutArgumentCarryNoTrailingSpace() throws {
        let host = FakeHost()
        let monitor = host.monitor()

        try monitor.enable()
        try monitor.markActive()
        _ = try monitor.isEnabled()
        _ = try monitor.appStatus()
        try monitor.disable()

        #expect(
            host.rawRequests == [
                Array("GuestAppMonitor.Cmd.Enable".utf8),
                Array("GuestAppMonitor.Cmd.MarkActive".utf8),
                Array("GuestAppMonitor.Cmd.IsEnabled".utf8),
                Array("GuestAppMonitor.Cmd.GetAppStatus".utf8),
                Array("GuestAppMonitor.Cmd.Disable".utf8),
            ]
        )
    }

    @Test func postAppStateSendsOneSpaceAndTheStateVerbatim() throws {
        let host = FakeHost()
        let monitor = host.monitor()

        try monitor.postAppState(.needReset)
        try monitor.postAppState(.ok)

        #expect(
            host.requests == [
                "GuestAppMonitor.Cmd.PostAppState appStateNeedReset",
                "GuestAppMonitor.Cmd.PostAppState appStateOk",
            ]
        )
    }

    @Test func rawArgumentIsSentByteForByte() {
        let host = FakeHost()
        let monitor = host.monitor()
        let argument: [UInt8] = [0x20, 0x41, 0x00, 0xFF, 0x20]

        _ = monitor.send(.postAppState, argument: argument)
        _ = monitor.send(.postAppState, argument: [])

        #expect(
            host.rawRequests == [
                Array("GuestAppMonitor.Cmd.PostAppState ".utf8) + argument,
                Array("GuestAppMonitor.Cmd.PostAppState ".utf8),
            ])
    }

    @Test func requestBytesWithoutArgumentIsTheWireName() {
        #expect(
            AppMonitorCommand.postAppState.requestBytes()
                == Array("GuestAppMonitor.Cmd.PostAppState".utf8))
        #expect(
            AppMonitorCommand.allCases.map(\.wireName) == [
                "GuestAppMonitor.Cmd.Enable", "GuestAppMonitor.Cmd.Disable",
                "GuestAppMonitor.Cmd.MarkActive",
                "GuestAppMonitor.Cmd.IsEnabled", "GuestAppMonitor.Cmd.GetAppStatus",
                "GuestAppMonitor.Cmd.PostAppState",
            ])
    }
}

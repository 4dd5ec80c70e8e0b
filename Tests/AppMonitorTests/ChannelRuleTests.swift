// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Dispatch
import Glibc
import GuestRPC
import Testing

/// The channel persistence rule of PROTOCOL.md §7.3, on fake channels.
@Suite struct ChannelRuleTests {
    @Test func channelIsKeptFromEnableUntilDisable() throws {
        let host = FakeHost()
        let monitor = host.monitor()

        try monitor.enable()
        try monitor.markActive()
        try monitor.markActive()
        #expect(try monitor.isEnabled())
        #expect(host.made == 1)
        #expect(host.closes == 0)
        #expect(monitor.hasOpenChannel)

        try monitor.disable()
        #expect(host.made == 1)
        #expect(host.closes == 1)
        #expect(!monitor.hasOpenChannel)
        #expect(!monitor.isHeartbeating)
    }

    @Test func channelIsClosedAfterEveryCommandBeforeEnable() throws {
        let host = FakeHost()
        let monitor = host.monitor()

        #expect(try monitor.appStatus().color == .gray)
        #expect(try !monitor.isEnabled())
        try monitor.postAppState(.ok)
        #expect(host.made == 3)
        #expect(host.closes == 3)
        #expect(!monitor.hasOpenChannel)
    }

    @Test func channelIsKeptAfterAFailedDisable() throws {
        let host = FakeHost()
        host.answer = { request in
            String(decoding: request, as: UTF8.self) == "GuestAppMonitor.Cmd.Disable"
                ? .success("1") : nil
        }
        let monitor = host.monitor()
        try monitor.enable()

        #expect(monitor.send(.disable).libraryErrorCode == 1)
        #expect(monitor.isHeartbeating)
        #expect(monitor.hasOpenChannel)
        try monitor.markActive()
        #expect(host.made == 1)
        #expect(host.closes == 0)
    }

    @Test func backdoorChannelIsClosedAfterEveryCommandEvenWhileHeartbeating() throws {
        let host = FakeHost(channelEndpoint: .backdoor)
        let monitor = host.monitor(endpoint: .backdoor, isRunningInVMware: true)

        try monitor.enable()
        try monitor.markActive()
        try monitor.markActive()
        #expect(monitor.isHeartbeating)
        #expect(host.made == 3)
        #expect(host.closes == 3)
        #expect(!monitor.hasOpenChannel)
    }

    @Test func autoChannelThatFellBackToTheBackdoorIsNotKept() throws {
        let host = FakeHost(channelEndpoint: .backdoor)
        let monitor = host.monitor(endpoint: .auto, isRunningInVMware: true)

        try monitor.enable()
        try monitor.markActive()
        #expect(host.made == 2)
        #expect(host.closes == 2)
    }

    @Test func enableSetsHeartbeatingEvenWhenTheHostRefuses() {
        let host = FakeHost()
        host.answer = { _ in .failure("Unknown command") }
        let monitor = host.monitor()

        #expect(monitor.send(.enable).libraryErrorCode == 4)
        #expect(monitor.isHeartbeating)
        #expect(monitor.hasOpenChannel)
    }

    @Test func brokenChannelIsReopenedAndTheRequestSentOnceMore() throws {
        let host = FakeHost()
        let monitor = host.monitor()
        try monitor.enable()
        host.failSends(1)

        try monitor.markActive()
        #expect(
            host.requests == ["GuestAppMonitor.Cmd.Enable"]
                + Array(repeating: "GuestAppMonitor.Cmd.MarkActive", count: 2))
        #expect(host.made == 2)
        #expect(host.closes == 1)
        #expect(monitor.hasOpenChannel)
    }

    @Test func secondTransportFailureIsReportedWithoutAThirdAttempt() {
        let host = FakeHost()
        let monitor = host.monitor()
        _ = monitor.send(.enable)
        let broken = RPCError(
            .receiveFailed, endpoint: host.channelEndpoint, detail: "host closed the connection")
        host.failSends(2, with: broken)

        let outcome = monitor.send(.markActive)
        #expect(
            outcome
                == .rpcFailed(
                    text: Array("VSockOut: Unable to receive the result of the RPCI command".utf8),
                    transportError: broken
                )
        )
        #expect(outcome.libraryErrorCode == 1)
        #expect(host.requests.count == 3)
        #expect(host.made == 2)
        #expect(!monitor.hasOpenChannel)
    }

    /// A stopped host would run both copies when it resumes: a request that timed out is not resent.
    @Test func requestThatTimedOutIsNotSentAgain() {
        let host = FakeHost()
        let monitor = host.monitor()
        _ = monitor.send(.enable)
        let timeout = RPCError(
            .receiveFailed, endpoint: host.channelEndpoint, systemCall: "recv", errorNumber: EAGAIN,
            detail: "the host did not answer within 30 s")
        host.failSends(1, with: timeout)

        let outcome = monitor.send(.markActive)
        #expect(
            outcome
                == .rpcFailed(
                    text: Array("VSockOut: Unable to receive the result of the RPCI command".utf8),
                    transportError: timeout
                )
        )
        #expect(host.requests.count == 2)
        #expect(host.made == 1)
        #expect(!monitor.hasOpenChannel)
    }

    @Test func failedReopenIsAnRPCFailureNotAStartFailure() {
        let host = FakeHost()
        let monitor = host.monitor()
        _ = monitor.send(.enable)
        host.failSends(1)
        host.failMakes(1)

        let outcome = monitor.send(.markActive)
        #expect(outcome.libraryErrorCode == 1)
        guard case .rpcFailed(_, let error?) = outcome else {
            Issue.record("expected a transport failure, got \(outcome)")
            return
        }
        #expect(error.kind == .openFailed)
    }

    @Test func failedStartIsDiscardedAndRetriedOnTheNextCommand() throws {
        let host = FakeHost()
        let monitor = host.monitor()
        host.failMakes(1)

        let first = monitor.send(.enable)
        #expect(first.libraryErrorCode == 3)
        guard case .channelStartFailed(let error) = first else {
            Issue.record("expected a start failure, got \(first)")
            return
        }
        #expect(
            error.reason
                == .channelStartFailed(
                    RPCError(
                        .openFailed, endpoint: host.channelEndpoint, systemCall: "connect",
                        errorNumber: 2)))
        #expect(!monitor.hasOpenChannel)
        #expect(monitor.isHeartbeating)

        try monitor.enable()
        #expect(host.made == 1)
        #expect(host.requests == ["GuestAppMonitor.Cmd.Enable"])
    }

    @Test func channelThatCannotConnectOnItsFirstSendIsAStartFailure() {
        let host = FakeHost()
        let monitor = host.monitor()
        host.failSends(
            1,
            with: RPCError(
                .openFailed, endpoint: host.channelEndpoint, systemCall: "connect", errorNumber: 111
            ))

        #expect(monitor.send(.markActive).libraryErrorCode == 3)
        #expect(host.made == 1)
        #expect(host.closes == 1)
    }

    @Test func autoEndpointOutsideVMwareIsNotRunningInVMWithoutAChannel() {
        let host = FakeHost()
        let monitor = host.monitor(endpoint: .auto, isRunningInVMware: false)

        for command in AppMonitorCommand.allCases {
            #expect(monitor.send(command) == .notRunningInVM)
        }
        #expect(monitor.send(.enable).libraryErrorCode == 2)
        #expect(host.made == 0)
    }

    @Test func explicitUnixEndpointSkipsTheVMCheck() throws {
        let host = FakeHost()
        let monitor = host.monitor(endpoint: .unix(path: "/fake/vm.sock"), isRunningInVMware: false)

        try monitor.enable()
        #expect(host.made == 1)
    }

    @Test func makerThatFindsNoVMReportsNotRunningInVM() {
        let host = FakeHost()
        host.failMakes(1, with: RPCError(.notRunningInVM, endpoint: .auto))
        let monitor = host.monitor(endpoint: .auto, isRunningInVMware: true)

        #expect(monitor.send(.markActive) == .notRunningInVM)
    }

    @Test func malformedEnvironmentEndpointFailsEveryCommandAsAStartFailure() throws {
        let host = FakeHost()
        let monitor = AppMonitor(
            environment: ["GUESTSDK_RPC": "tcp:1"], isRunningInVMware: { false },
            makeChannel: host.channelMaker
        )

        let outcome = monitor.send(.markActive)
        #expect(outcome.libraryErrorCode == 3)
        #expect(monitor.endpoint == nil)
        let error = #expect(throws: AppMonitorError.self) { try monitor.markActive() }
        #expect(
            error?.description
                == "GuestAppMonitor.Cmd.MarkActive not sent: GUESTSDK_RPC='tcp:1' is not an endpoint:"
                + " expected auto, vsock[:CID[:PORT]], backdoor or unix:PATH"
        )
        #expect(host.made == 0)
    }

    /// Field pitfall §17 10: once enabled, heartbeats flow on the kept connection
    /// even when no new channel could be opened.
    @Test func heartbeatsFlowOnTheKeptChannelWhenNoNewOneCanBeOpened() throws {
        let host = FakeHost()
        let monitor = host.monitor()
        try monitor.enable()
        host.failMakes(1000)

        for _ in 0..<50 {
            try monitor.markActive()
        }
        #expect(host.made == 1)
        #expect(host.requests.count == 51)
    }

    @Test func commandsFromManyThreadsAreSerialisedOnOneChannel() throws {
        let host = FakeHost()
        let monitor = host.monitor()
        try monitor.enable()

        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<50 {
                _ = monitor.send(.markActive)
            }
        }
        #expect(host.maximumConcurrentSends == 1)
        #expect(host.requests.count == 401)
        #expect(host.made == 1)
    }
}

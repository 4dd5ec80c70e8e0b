// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import GuestRPC
import Testing

/// How the Swift API turns replies into values and `AppMonitorError`s.
@Suite struct SwiftErrorTests {
    static let endpoint = Endpoint.unix(path: "/fake/vm.sock")

    private func monitor(answering reply: RPCReply) -> (AppMonitor, FakeHost) {
        let host = FakeHost()
        host.answer = { _ in reply }
        return (host.monitor(), host)
    }

    @Test func markActiveBeforeEnableIsNotEnabled() {
        let monitor = FakeHost().monitor()

        let error = #expect(throws: AppMonitorError.self) { try monitor.markActive() }
        #expect(
            error == AppMonitorError(.notEnabled, command: .markActive, endpoint: Self.endpoint))
        #expect(
            error?.description
                == "GuestAppMonitor.Cmd.MarkActive on unix:/fake/vm.sock: application monitoring is not enabled"
                + " (the host answered 2); run enable first"
        )
    }

    @Test func unknownCommandIsNotSupported() {
        let (monitor, _) = self.monitor(answering: .failure("Unknown command"))

        let error = #expect(throws: AppMonitorError.self) { try monitor.enable() }
        #expect(error?.reason == .notSupported)
        #expect(
            error?.description
                == "GuestAppMonitor.Cmd.Enable on unix:/fake/vm.sock: the host does not support application monitoring"
                + " (it answered Unknown command)"
        )
    }

    @Test func otherFailureTextIsHostRefused() {
        let (monitor, _) = self.monitor(answering: .failure("disabled"))

        let error = #expect(throws: AppMonitorError.self) { try monitor.disable() }
        #expect(error?.reason == .hostRefused("disabled"))
    }

    @Test(arguments: [
        (1, AppMonitorError.HostErrorCode.internalError), (3, .argumentExpected),
        (4, .nullArgument), (5, .badArgument),
    ])
    func otherReplyCodesAreHostErrors(code: Int, expected: AppMonitorError.HostErrorCode) {
        let (monitor, _) = self.monitor(answering: .success("\(code)"))

        let error = #expect(throws: AppMonitorError.self) {
            try monitor.postAppState(AppMonitor.AppState(rawValue: "bogus"))
        }
        #expect(error?.reason == .hostError(expected))
        #expect(error?.command == .postAppState)
    }

    @Test func badStateIsReportedAsBadArgument() {
        let monitor = FakeHost().monitor()

        let error = #expect(throws: AppMonitorError.self) {
            try monitor.postAppState(AppMonitor.AppState(rawValue: "purple"))
        }
        #expect(
            error?.description
                == "GuestAppMonitor.Cmd.PostAppState on unix:/fake/vm.sock: the host answered error 5 (bad argument)"
        )
    }

    @Test func replyThatIsNoCodeIsUnexpected() {
        let (monitor, _) = self.monitor(answering: .success("ok"))

        let error = #expect(throws: AppMonitorError.self) { try monitor.markActive() }
        #expect(error?.reason == .unexpectedReply("ok"))
    }

    @Test func transportFailureNamesTheEndpointAndWrapsTheRPCError() {
        let host = FakeHost()
        let monitor = host.monitor()
        let broken = RPCError(
            .receiveFailed, endpoint: Self.endpoint, detail: "host closed the connection")
        host.failSends(2, with: broken)

        let error = #expect(throws: AppMonitorError.self) { try monitor.markActive() }
        #expect(error?.reason == .transportFailed(broken))
        #expect(
            error?.description
                == "GuestAppMonitor.Cmd.MarkActive on unix:/fake/vm.sock: transport failed:"
                + " receive failed on unix:/fake/vm.sock: host closed the connection"
        )
    }

    @Test func startFailureNamesTheEndpoint() {
        let host = FakeHost()
        let monitor = host.monitor()
        host.failMakes(
            1,
            with: RPCError(
                .openFailed, endpoint: Self.endpoint, systemCall: "connect", errorNumber: 2))

        let error = #expect(throws: AppMonitorError.self) { try monitor.enable() }
        #expect(
            error?.description
                == "GuestAppMonitor.Cmd.Enable on unix:/fake/vm.sock: cannot open the channel:"
                + " open failed on unix:/fake/vm.sock (connect: No such file or directory, errno 2)"
        )
    }

    @Test func notRunningInVMNamesTheEndpoint() {
        let monitor = FakeHost().monitor(endpoint: .auto, isRunningInVMware: false)

        let error = #expect(throws: AppMonitorError.self) { try monitor.enable() }
        #expect(error == AppMonitorError(.notRunningInVM, command: .enable, endpoint: .auto))
        #expect(
            error?.description
                == "GuestAppMonitor.Cmd.Enable on auto: not running in a VMware VM"
                + " (set GUESTSDK_RPC=unix:PATH to use a host agent)"
        )
    }

    @Test(arguments: [
        ("green", AppMonitor.AppStatus.Color.green), ("RED", .red), ("Gray", .gray),
        ("appStatusGreen", .green),
    ])
    func appStatusIsParsedCaseInsensitivelyKeepingTheText(
        text: String, color: AppMonitor.AppStatus.Color
    ) throws {
        let (monitor, _) = self.monitor(answering: .success(text))

        let status = try monitor.appStatus()
        #expect(status.color == color)
        #expect(status.text == text)
        #expect(status.description == color.rawValue)
    }

    @Test func unknownAppStatusKeepsTheTextWithoutAColor() throws {
        let (monitor, _) = self.monitor(answering: .success("purple"))

        let status = try monitor.appStatus()
        #expect(status.color == nil)
        #expect(status.description == "purple")
    }

    @Test func emptyAppStatusIsUnexpected() {
        let (monitor, _) = self.monitor(answering: .success(""))

        let error = #expect(throws: AppMonitorError.self) { try monitor.appStatus() }
        #expect(error?.reason == .unexpectedReply(""))
    }

    @Test func isEnabledReadsTrueAndFalseAndRejectsAnythingElse() throws {
        #expect(try self.monitor(answering: .success("true")).0.isEnabled())
        #expect(try !self.monitor(answering: .success("false")).0.isEnabled())
        let error = #expect(throws: AppMonitorError.self) {
            try self.monitor(answering: .success("yes")).0.isEnabled()
        }
        #expect(error?.reason == .unexpectedReply("yes"))
    }
}

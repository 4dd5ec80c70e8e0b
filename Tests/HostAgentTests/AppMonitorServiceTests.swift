// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC
import HostAgent
import Testing

@Suite("AppMonitorService: exact replies to GuestAppMonitor.Cmd.*")
struct AppMonitorServiceTests {
    let fixture: HAEngineFixture
    let router = Router()

    init() throws {
        self.fixture = try HAEngineFixture()
        self.router.register(
            prefix: AppMonitorService.commandPrefix,
            to: AppMonitorService(engine: self.fixture.engine))
    }

    /// Sends `request` as VM `vm` and returns the reply as it goes on the wire.
    func send(_ request: String, vm: String = HAEngineFixture.vm) -> String {
        let reply = self.router.route(RPCRequest(vmName: vm, bytes: Array(request.utf8)))
        return String(decoding: reply.wireBytes, as: UTF8.self)
    }

    @Test func enableDisableAndMarkActiveReplyZero() {
        #expect(self.send("GuestAppMonitor.Cmd.Enable") == "1 0")
        #expect(self.send("GuestAppMonitor.Cmd.MarkActive") == "1 0")
        #expect(self.send("GuestAppMonitor.Cmd.Disable") == "1 0")
    }

    @Test func isEnabledRepliesTrueOrFalse() {
        #expect(self.send("GuestAppMonitor.Cmd.IsEnabled") == "1 false")
        _ = self.send("GuestAppMonitor.Cmd.Enable")
        #expect(self.send("GuestAppMonitor.Cmd.IsEnabled") == "1 true")
    }

    @Test func getAppStatusRepliesGrayGreenRed() {
        #expect(self.send("GuestAppMonitor.Cmd.GetAppStatus") == "1 gray")
        _ = self.send("GuestAppMonitor.Cmd.Enable")
        #expect(self.send("GuestAppMonitor.Cmd.GetAppStatus") == "1 green")
        self.fixture.advance(.seconds(30))
        #expect(self.send("GuestAppMonitor.Cmd.GetAppStatus") == "1 red")
    }

    @Test func markActiveWhileNotEnabledRepliesTwo() {
        #expect(self.send("GuestAppMonitor.Cmd.MarkActive") == "1 2")
    }

    @Test(arguments: ["appStateOk", "OK", "ok", "APPSTATEOK", "Ok"])
    func postAppStateAcceptsTheOkSpellings(argument: String) throws {
        #expect(self.send("GuestAppMonitor.Cmd.PostAppState \(argument)") == "1 0")
        #expect(try self.fixture.state.appState == .appStateOk)
    }

    @Test(arguments: ["appStateNeedReset", "needReset", "NEEDRESET", "appstateneedreset"])
    func postAppStateAcceptsTheNeedResetSpellings(argument: String) throws {
        #expect(self.send("GuestAppMonitor.Cmd.PostAppState \(argument)") == "1 0")
        #expect(try self.fixture.state.appState == .appStateNeedReset)
    }

    @Test(arguments: ["none", "appStateNone", "reset", "ok ok", "green"])
    func postAppStateRejectsOtherArgumentsWithFive(argument: String) throws {
        #expect(self.send("GuestAppMonitor.Cmd.PostAppState \(argument)") == "1 5")
        #expect(try self.fixture.state.appState == AppState.none)
    }

    @Test func postAppStateWithoutArgumentRepliesThree() {
        #expect(self.send("GuestAppMonitor.Cmd.PostAppState") == "1 3")
        #expect(self.send("GuestAppMonitor.Cmd.PostAppState ") == "1 3")
    }

    @Test func postAppStateWithTheCNullTextRepliesFour() {
        #expect(self.send("GuestAppMonitor.Cmd.PostAppState (null)") == "1 4")
    }

    @Test func postAppStateAcceptsATrailingSpace() {
        #expect(self.send("GuestAppMonitor.Cmd.PostAppState appStateOk ") == "1 0")
    }

    @Test(arguments: ["Enable", "Disable", "IsEnabled", "GetAppStatus"])
    func commandsWithoutArgumentAcceptATrailingSpace(command: String) {
        #expect(self.send("GuestAppMonitor.Cmd.\(command) ").hasPrefix("1 "))
        #expect(
            self.send("GuestAppMonitor.Cmd.\(command) ")
                == self.send("GuestAppMonitor.Cmd.\(command)"))
    }

    @Test func anArgumentWhereNoneIsExpectedRepliesFive() {
        #expect(self.send("GuestAppMonitor.Cmd.Enable now") == "1 5")
        #expect(self.send("GuestAppMonitor.Cmd.IsEnabled") == "1 false")
    }

    @Test(arguments: [
        "GuestAppMonitor.Cmd.Bogus", "GuestAppMonitor.Cmd.", "GuestAppMonitor.Cmd.enable",
    ])
    func unknownCommandsReplyUnknownCommand(request: String) {
        #expect(self.send(request) == "0 Unknown command")
    }

    @Test(arguments: [
        "GuestAppMonitor.Cmd.Enable", "GuestAppMonitor.Cmd.Disable",
        "GuestAppMonitor.Cmd.MarkActive",
        "GuestAppMonitor.Cmd.IsEnabled", "GuestAppMonitor.Cmd.GetAppStatus",
        "GuestAppMonitor.Cmd.PostAppState appStateOk", "GuestAppMonitor.Cmd.PostAppState",
    ])
    func aVMWithoutAppMonitoringGetsUnknownCommandForEverything(request: String) throws {
        try self.fixture.engine.setAppMonitoringSupported(false, forVM: HAEngineFixture.vm)
        #expect(self.send(request) == "0 Unknown command")
    }

    @Test func aVMTheEngineDoesNotKnowGetsUnknownCommand() {
        #expect(self.send("GuestAppMonitor.Cmd.Enable", vm: "stranger") == "0 Unknown command")
    }

    /// PROTOCOL.md §17 pitfall 3, through the service: after a vMotion, `MarkActive` replies `1 2`
    /// until `Enable`.
    @Test func afterVMotionMarkActiveRepliesTwoUntilEnable() throws {
        _ = self.send("GuestAppMonitor.Cmd.Enable")
        try self.fixture.engine.vMotion(vmNamed: HAEngineFixture.vm)
        #expect(self.send("GuestAppMonitor.Cmd.GetAppStatus") == "1 gray")
        #expect(self.send("GuestAppMonitor.Cmd.MarkActive") == "1 2")
        #expect(self.send("GuestAppMonitor.Cmd.Enable") == "1 0")
        #expect(self.send("GuestAppMonitor.Cmd.MarkActive") == "1 0")
    }
}

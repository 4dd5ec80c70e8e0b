// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Testing

/// `vmware-appmonitor` against a host agent running in the test process.
@Suite struct AppMonitorToolEndToEndTests {
    let host: TestHost

    init() throws {
        self.host = try TestHost()
    }

    private func run(_ arguments: String...) throws -> ToolProcess.Result {
        let path = try #require(
            ToolProcess.executablePath("vmware-appmonitor"), "build with --build-tests first")
        return try #require(
            try ToolProcess.run(path, arguments, environment: self.host.environment))
    }

    private func succeeded(_ output: String) -> ToolProcess.Result {
        ToolProcess.Result(status: 0, standardOutput: output, standardError: "")
    }

    @Test func enableTurnsMonitoringOnSilently() throws {
        #expect(try self.run("isEnabled") == self.succeeded("false\n"))
        #expect(try self.run("enable") == self.succeeded(""))
        #expect(self.host.isEnabled)
        #expect(try self.run("isEnabled") == self.succeeded("true\n"))
    }

    @Test func statusIsGrayThenGreenThenRedWhenHeartbeatsStop() throws {
        #expect(try self.run("getAppStatus") == self.succeeded("gray\n"))
        #expect(try self.run("enable") == self.succeeded(""))
        #expect(try self.run("markActive") == self.succeeded(""))
        #expect(self.host.heartbeats == 1)
        #expect(try self.run("getAppStatus") == self.succeeded("green\n"))

        self.host.advance(seconds: 30)
        #expect(try self.run("getAppStatus") == self.succeeded("red\n"))
        self.host.advance(seconds: 1)
        #expect(self.host.resetsDone == 1)
        #expect(try self.run("getAppStatus") == self.succeeded("gray\n"))
        #expect(
            self.host.eventNames == [
                "enabled", "heartbeat-missed", "reset-requested", "reset-started", "reset-done",
            ]
        )
    }

    @Test func disableTurnsTheStatusGray() throws {
        _ = try self.run("enable")
        #expect(try self.run("disable") == self.succeeded(""))
        #expect(!self.host.isEnabled)
        #expect(try self.run("getAppStatus") == self.succeeded("gray\n"))
    }

    @Test func markActiveBeforeEnableFailsNamingTheEndpoint() throws {
        let result = try self.run("markActive")
        #expect(result.status == 1)
        #expect(result.standardOutput == "")
        #expect(
            result.standardError
                == "vmware-appmonitor: markActive failed: GuestAppMonitor.Cmd.MarkActive"
                + " on unix:\(self.host.socketPath): application monitoring is not enabled (the host answered 2);"
                + " run enable first\n"
        )
    }

    @Test func postAppStateReachesTheHost() throws {
        #expect(try self.run("postAppState", "appStateNeedReset") == self.succeeded(""))
        #expect(self.host.appState == "appStateNeedReset")
        #expect(try self.run("postAppState", "appStateOk") == self.succeeded(""))
        #expect(self.host.appState == "appStateOk")
        self.host.advance(seconds: 5)
        #expect(self.host.resetsDone == 0)
        #expect(
            self.host.eventNames == [
                "need-reset-posted", "reset-requested", "need-reset-cancelled",
            ])
    }

    @Test func jsonOutputIsOneObjectPerCommand() throws {
        #expect(
            try self.run("--json", "enable")
                == self.succeeded("{\"command\":\"enable\",\"ok\":true}\n"))
        #expect(
            try self.run("--json", "isEnabled")
                == self.succeeded("{\"command\":\"isEnabled\",\"enabled\":true}\n"))
        #expect(
            try self.run("--json", "getAppStatus")
                == self.succeeded(
                    "{\"command\":\"getAppStatus\",\"status\":\"green\",\"text\":\"green\"}\n")
        )
        #expect(
            try self.run("postAppState", "appStateOk", "--json")
                == self.succeeded(
                    "{\"command\":\"postAppState\",\"ok\":true,\"state\":\"appStateOk\"}\n")
        )
    }

    @Test func hostWithoutApplicationMonitoringIsNotSupported() throws {
        try self.host.withdrawSupport()

        let result = try self.run("enable")
        #expect(result.status == 1)
        #expect(
            result.standardError
                == "vmware-appmonitor: enable failed: GuestAppMonitor.Cmd.Enable on unix:\(self.host.socketPath):"
                + " the host does not support application monitoring (it answered Unknown command)\n"
        )
    }

    @Test func missingSocketFailsNamingTheEndpointAndTheCall() throws {
        let path = try #require(ToolProcess.executablePath("vmware-appmonitor"))
        let socket = self.host.stateDirectory + "/vms/absent.sock"
        let result = try #require(
            try ToolProcess.run(path, ["enable"], environment: ["GUESTSDK_RPC": "unix:\(socket)"]))
        #expect(result.status == 1)
        #expect(result.standardOutput == "")
        #expect(
            result.standardError
                == "vmware-appmonitor: enable failed: GuestAppMonitor.Cmd.Enable on unix:\(socket):"
                + " cannot open the channel: open failed on unix:\(socket)"
                + " (connect: No such file or directory, errno 2)\n"
        )
    }
}

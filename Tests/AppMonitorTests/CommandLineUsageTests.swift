// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Testing

/// `vmware-appmonitor` and `appmonitor-sample` usage handling, without a host.
@Suite struct CommandLineUsageTests {
    static let usageLine =
        "Usage: vmware-appmonitor [--json] {enable | disable | markActive | isEnabled | getAppStatus"
        + " | postAppState appStateOk|appStateNeedReset}\n"

    private func appmonitor(
        _ arguments: [String], environment: [String: String] = [:]
    ) throws -> ToolProcess.Result {
        let path = try #require(
            ToolProcess.executablePath("vmware-appmonitor"), "build with --build-tests first")
        return try #require(try ToolProcess.run(path, arguments, environment: environment))
    }

    @Test func missingCommandPrintsUsageAndExits64() throws {
        let result = try self.appmonitor([])
        #expect(
            result
                == .init(
                    status: 64, standardOutput: "",
                    standardError: "vmware-appmonitor: missing command\n" + Self.usageLine))
    }

    @Test func unknownCommandPrintsUsageAndExits64() throws {
        let result = try self.appmonitor(["markactive"])
        #expect(
            result
                == .init(
                    status: 64, standardOutput: "",
                    standardError: "vmware-appmonitor: unknown command 'markactive'\n"
                        + Self.usageLine))
    }

    @Test func postAppStateWithoutAKnownStateIsAUsageError() throws {
        let missing = try self.appmonitor(["postAppState"])
        #expect(missing.status == 64)
        #expect(
            missing.standardError
                == "vmware-appmonitor: postAppState needs appStateOk or appStateNeedReset\n"
                + Self.usageLine)
        let unknown = try self.appmonitor(["postAppState", "appStateFine"])
        #expect(unknown.status == 64)
        #expect(
            unknown.standardError
                == "vmware-appmonitor: unknown app state 'appStateFine': expected appStateOk or appStateNeedReset\n"
                + Self.usageLine)
    }

    @Test func helpGoesToStandardOutputWithExit0() throws {
        let result = try self.appmonitor(["--help"])
        #expect(result.status == 0)
        #expect(result.standardError == "")
        #expect(
            result.standardOutput.hasPrefix(
                Self.usageLine + "\nvSphere HA application monitoring from inside the guest.\n"))
        #expect(
            result.standardOutput.contains(
                "  postAppState appStateNeedReset  ask vSphere HA to reset this VM now\n"))
        #expect(
            result.standardOutput.hasSuffix(
                "Exit status: 0 success, 1 the command failed, 64 usage error.\n"))
    }

    @Test func autoEndpointOutsideAVMFailsNamingTheEndpoint() throws {
        let result = try self.appmonitor(["markActive"], environment: ["GUESTSDK_RPC": "auto"])
        #expect(result.status == 1)
        #expect(result.standardOutput == "")
        #expect(
            result.standardError
                == "vmware-appmonitor: markActive failed: GuestAppMonitor.Cmd.MarkActive on auto:"
                + " not running in a VMware VM (set GUESTSDK_RPC=unix:PATH to use a host agent)\n"
        )
    }

    @Test func malformedEndpointFailsNamingTheVariable() throws {
        let result = try self.appmonitor(["enable"], environment: ["GUESTSDK_RPC": "tcp:1"])
        #expect(result.status == 1)
        #expect(
            result.standardError
                == "vmware-appmonitor: enable failed: GuestAppMonitor.Cmd.Enable not sent: GUESTSDK_RPC='tcp:1'"
                + " is not an endpoint: expected auto, vsock[:CID[:PORT]], backdoor or unix:PATH\n"
        )
    }

    @Test func sampleRejectsABadInterval() throws {
        let path = try #require(
            ToolProcess.executablePath("appmonitor-sample"), "build with --build-tests first")
        let result = try #require(try ToolProcess.run(path, ["--interval", "0"]))
        #expect(
            result
                == .init(
                    status: 64, standardOutput: "",
                    standardError:
                        "appmonitor-sample: --interval needs a number of seconds above 0, not '0'\n"
                        + "Usage: appmonitor-sample [--interval SECONDS]\n"
                )
        )
    }

    @Test func sampleHelpShowsThePromptAndExits0() throws {
        let path = try #require(
            ToolProcess.executablePath("appmonitor-sample"), "build with --build-tests first")
        let result = try #require(try ToolProcess.run(path, ["--help"]))
        #expect(result.status == 0)
        #expect(
            result.standardOutput.hasPrefix("Usage: appmonitor-sample [--interval SECONDS]\n\n"))
        let prompt = [
            "  Ctrl+C: what now?", "    s  stop heartbeating and exit (the VM will be reset)",
            "    d  disable monitoring and exit (no reset)", "    c  continue heartbeating",
            "  Choice [s/d/c]: ", "",
        ]
        #expect(result.standardOutput.contains(prompt.joined(separator: "\n")))
    }

    @Test func sampleOutsideAVMCannotEnable() throws {
        let path = try #require(
            ToolProcess.executablePath("appmonitor-sample"), "build with --build-tests first")
        let result = try #require(
            try ToolProcess.run(path, [], environment: ["GUESTSDK_RPC": "auto"]))
        #expect(result.status == 1)
        #expect(result.standardOutput == "")
        #expect(
            result.standardError
                == "appmonitor-sample: cannot enable monitoring: GuestAppMonitor.Cmd.Enable on auto:"
                + " not running in a VMware VM (set GUESTSDK_RPC=unix:PATH to use a host agent)\n"
        )
    }
}

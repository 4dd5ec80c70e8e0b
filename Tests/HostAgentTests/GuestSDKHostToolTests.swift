// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import HostAgent
import TestSupport
import Testing

/// The `guestsdk-host` executable: usage, signals, and `ctl` against a running agent.
@Suite("guestsdk-host: the executable")
struct GuestSDKHostToolTests {
    static let usageLine =
        "Usage: guestsdk-host [--config FILE] [--state-dir DIR] [--control-port PORT] [--vms N]"
        + " [--clock-scale FACTOR] [--log-level LEVEL]\n       guestsdk-host ctl [--state-dir DIR] [--json] COMMAND ..."

    @Test func helpGoesToStandardOutputWithExitZero() throws {
        let run = try BuiltProduct.run("guestsdk-host", ["--help"])

        #expect(run.status == 0)
        #expect(run.standardOutput.hasPrefix(Self.usageLine + "\n\nThe GuestSDK host agent:"))
        #expect(run.standardError.isEmpty)
    }

    @Test func anUnknownArgumentIsAUsageErrorWithExit64() throws {
        let run = try BuiltProduct.run("guestsdk-host", ["--bogus"])

        #expect(run.status == 64)
        #expect(run.standardError == "guestsdk-host: unknown argument --bogus\n" + Self.usageLine + "\n")
        #expect(run.standardOutput.isEmpty)
    }

    @Test func ctlWithoutACommandIsAUsageErrorWithExit64() throws {
        let run = try BuiltProduct.run("guestsdk-host", ["ctl"])

        #expect(run.status == 64)
        #expect(run.standardError.hasPrefix("guestsdk-host ctl: missing command\nUsage: guestsdk-host ctl "))
    }

    @Test func ctlWithoutARunningAgentFailsWithExit1() throws {
        let directory = try DaemonFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let run = try BuiltProduct.run("guestsdk-host", ["ctl", "--state-dir", directory, "vms"])

        #expect(run.status == 1)
        #expect(run.standardError.contains("is guestsdk-host running with this state directory?"))
    }

    @Test func anUnreadableConfigFileFailsWithExit1() throws {
        let run = try BuiltProduct.run("guestsdk-host", ["--config", "/nonexistent/config.json"])

        #expect(run.status == 1)
        #expect(run.standardError == "guestsdk-host: config /nonexistent/config.json: cannot be read\n")
    }

    @Test func ctlListsTheVMsAndInjectsAFaultIntoARunningAgent() throws {
        let agent = try ToolAgent(vms: 2)
        defer { agent.stop() }

        let list = try BuiltProduct.run("guestsdk-host", ["ctl", "--state-dir", agent.directory, "vms"])
        let fault = try BuiltProduct.run(
            "guestsdk-host", ["ctl", "--state-dir", agent.directory, "fault", "vm2", "guestlib", "off"])
        let vm = try BuiltProduct.run("guestsdk-host", ["ctl", "--state-dir", agent.directory, "vm", "vm2"])

        #expect(list.status == 0)
        let lines = list.standardOutput.split(separator: "\n").map { $0.split(separator: " ").first ?? "" }
        #expect(lines == ["NAME", "vm1", "vm2"])
        #expect(fault.status == 0)
        #expect(fault.standardOutput.hasPrefix(#"{"fault":"guestlib","sessionId":""#))
        #expect(vm.standardOutput.contains(#""guestlibEnabled":false"#))
    }

    @Test func ctlPrintsOneLinePerEventAndTheNextId() throws {
        let agent = try ToolAgent(vms: 1)
        defer { agent.stop() }

        let run = try BuiltProduct.run("guestsdk-host", ["ctl", "--state-dir", agent.directory, "events"])

        #expect(run.status == 0)
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("1 20") == true)
        #expect(lines.first?.hasSuffix("Z vm=vm1 event=vm-added status=appStatusGray") == true)
        #expect(lines.last == "next=1")
    }

    @Test func ctlReportsTheAPIsErrorWithExit1() throws {
        let agent = try ToolAgent(vms: 1)
        defer { agent.stop() }

        let run = try BuiltProduct.run("guestsdk-host", ["ctl", "--state-dir", agent.directory, "remove", "nope"])

        #expect(run.status == 1)
        #expect(run.standardError == "guestsdk-host ctl: 404: no VM named nope\n")
    }

    @Test func ctlTakesItsOptionsAfterTheCommandToo() throws {
        let agent = try ToolAgent(vms: 1)
        defer { agent.stop() }

        let agentView = try BuiltProduct.run(
            "guestsdk-host", ["ctl", "agent", "--json", "--state-dir", agent.directory])
        let list = try BuiltProduct.run("guestsdk-host", ["ctl", "vms", "--state-dir", agent.directory, "--json"])

        #expect(agentView.status == 0)
        let view = try JSONSerialization.jsonObject(with: Data(agentView.standardOutput.utf8)) as? [String: Any]
        #expect(view?["pid"] as? Int32 == agent.process.processIdentifier)
        #expect(list.status == 0)
        #expect(list.standardOutput.hasPrefix(#"{"vms":[{"#))
    }

    @Test func ctlReadsNothingAfterADoubleDashAsAnOption() throws {
        let agent = try ToolAgent(vms: 1)
        defer { agent.stop() }

        let run = try BuiltProduct.run(
            "guestsdk-host", ["ctl", "--state-dir", agent.directory, "remove", "--", "--json"])

        #expect(run.status == 1)
        #expect(run.standardError == "guestsdk-host ctl: 404: no VM named --json\n")
    }

    @Test func ctlHelpAfterTheCommandGoesToStandardOutputWithExitZero() throws {
        let run = try BuiltProduct.run("guestsdk-host", ["ctl", "vms", "--help"])

        #expect(run.status == 0)
        #expect(run.standardOutput.hasPrefix("Usage: guestsdk-host ctl [--state-dir DIR] [--json] {vms | vm NAME"))
        #expect(run.standardOutput.contains("Options, before or after the command"))
        #expect(run.standardError.isEmpty)
    }

    @Test func sigtermStopsGracefullyAndRecordsACleanStop() throws {
        let agent = try ToolAgent(vms: 1)

        agent.stop()

        #expect(agent.process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: agent.directory + "/" + ControlClient.portFileName))
        #expect(!FileManager.default.fileExists(atPath: agent.directory + "/vms/vm1.sock"))
        let previous = try #require(try StateStore(directory: agent.directory).beginRun())
        #expect(previous.stoppedCleanly)
    }

    @Test func sighupReloadsTheConfigFile() throws {
        let agent = try ToolAgent(vms: 1)
        defer { agent.stop() }
        try Data(#"{"vms":[{"name":"vm1"},{"name":"added"}]}"#.utf8).write(to: URL(fileURLWithPath: agent.config))

        kill(agent.process.processIdentifier, SIGHUP)

        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline
            && !FileManager.default.fileExists(atPath: agent.directory + "/vms/added.sock")
        {
            usleep(20_000)
        }
        let reply = try agent.client.send("GET", "/v1/vms/added")
        #expect(reply.status == 200)
    }
}

/// A `guestsdk-host` child process with a config file of `vms` VMs in a temporary directory.
final class ToolAgent {
    let directory: String
    let config: String
    let process: Process
    let client: ControlClient

    init(vms: Int) throws {
        self.directory = try DaemonFixture.makeTemporaryDirectory()
        self.config = self.directory + "/config.json"
        let definitions = (1...vms).map { ["name": "vm\($0)"] }
        try JSONSerialization.data(withJSONObject: ["vms": definitions]).write(to: URL(fileURLWithPath: self.config))
        let binary = try #require(BuiltProduct.path(of: "guestsdk-host"))
        let agent = try AgentProcess(binary: binary, directory: self.directory, config: self.config)
        self.process = agent.process
        self.client = agent.client
    }

    deinit {
        self.stop()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    /// SIGTERM and wait, once.
    func stop() {
        guard self.process.isRunning else { return }
        self.process.terminate()
        self.process.waitUntilExit()
    }
}

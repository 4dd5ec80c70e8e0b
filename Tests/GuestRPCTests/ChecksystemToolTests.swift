// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import TestSupport
import Testing

@testable import GuestRPC

/// The built `checksystem` binary, run as a user would run it on the build machine.
@Suite struct ChecksystemToolTests {
    @Test func buildMachineIsNotAVMwareGuestAndExitsOne() throws {
        let run = try BuiltProduct.run("checksystem", [])
        #expect(run.status == 1)
        #expect(run.standardOutput.contains("FAIL  vmware-guest            not a VMware guest"))
        #expect(run.standardOutput.hasSuffix("The Guest SDK cannot work here yet.\n"))
        #expect(run.standardError.isEmpty)
    }

    @Test func jsonOutputParsesAndSaysTheSDKCannotWork() throws {
        let run = try BuiltProduct.run("checksystem", ["--json"])
        #expect(run.status == 1)
        let report = try JSONDecoder().decode(
            SystemCheck.Report.self, from: Data(run.standardOutput.utf8))
        #expect(!report.canWork)
        #expect(report.endpoint == "auto")
        #expect(report.checks.first { $0.name == "vmware-guest" }?.message == "not a VMware guest")
    }

    @Test func answeringHostMakesTheExitStatusZero() throws {
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            connection.reply("0 Unknown command")
        }
        defer { server.stop() }
        let run = try BuiltProduct.run(
            "checksystem", ["--json"], environment: ["GUESTSDK_RPC": "unix:\(server.path)"])
        #expect(run.status == 0)
        let report = try JSONDecoder().decode(
            SystemCheck.Report.self, from: Data(run.standardOutput.utf8))
        #expect(report.canWork)
        #expect(report.checks.first { $0.name == "vmware-guest" }?.status == .warn)
    }

    @Test func silentHostMakesTheExitStatusOne() throws {
        let run = try BuiltProduct.run(
            "checksystem", [], environment: ["GUESTSDK_RPC": "unix:/nonexistent/host.sock"])
        #expect(run.status == 1)
        #expect(
            run.standardOutput.contains(
                "FAIL  endpoint-answers        open failed on unix:/nonexistent/host.sock"))
    }

    @Test func helpGoesToStandardOutputWithStatusZero() throws {
        let run = try BuiltProduct.run("checksystem", ["--help"])
        #expect(run.status == 0)
        #expect(run.standardOutput.hasPrefix("usage: checksystem [--json] [--verbose] [--help]\n"))
        #expect(run.standardError.isEmpty)
    }

    @Test func unknownOptionPrintsUsageToStandardErrorWithStatusSixtyFour() throws {
        let run = try BuiltProduct.run("checksystem", ["--frobnicate"])
        #expect(run.status == 64)
        #expect(
            run.standardError
                == "checksystem: unknown option '--frobnicate'\nusage: checksystem [--json] [--verbose] [--help]\n"
        )
        #expect(run.standardOutput.isEmpty)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import GuestRPC
import HostAgent
import Testing

/// Runs the built `vmguestlibtest` against the host agent.
@Suite("vmguestlibtest against the host agent", .serialized)
struct VMGuestLibTestToolTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// The tool beside the test bundle in the build's products directory.
    static var toolPath: String? {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("vmguestlibtest").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    static func run(_ arguments: [String], endpoint: String?, interruptAfterFirstSample: Bool = false) throws -> Run {
        let path = try #require(Self.toolPath, "vmguestlibtest is not built beside the tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GUESTSDK_RPC"] = endpoint
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        let errorData = PipeReader(errors.fileHandleForReading)
        var outputData = Data()
        if interruptAfterFirstSample {
            // The tool installs its signal handler before it prints; interrupt once the first sample is out.
            while !String(decoding: outputData, as: UTF8.self).contains("\n\n") {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                outputData += chunk
            }
            kill(process.processIdentifier, SIGINT)
        }
        outputData += output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Run(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData.wait(), as: UTF8.self)
        )
    }

    @Test func helpGoesToStandardOutputWithTheExitCodes() throws {
        let run = try Self.run(["--help"], endpoint: nil)
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("OVERVIEW: Prints every guest statistic"))
        #expect(run.output.contains("  69  not running in a VM, or the handle could not be opened\n"))
        #expect(
            run.output.contains(
                "  75  an update got no answer: the host could not be reached or did not answer in time\n"))
        #expect(
            run.output.contains(
                "  76  the host answered but the update failed: guestlib not enabled on the host, or a\n"))
        #expect(run.errors.isEmpty)
    }

    @Test func usageErrorExits64WithTheUsageLine() throws {
        let run = try Self.run(["--count", "zero"], endpoint: nil)
        #expect(run.status == 64)
        #expect(
            run.errors
                == "vmguestlibtest: --count needs a positive whole number\n"
                + "usage: vmguestlibtest [--interval SECONDS] [--count N] [--json] [--verbose]\n"
        )
        #expect(run.output.isEmpty)
    }

    @Test func outsideAVMWithoutAnEndpointExits69() throws {
        try #require(!Hypervisor.detect().isVMware)
        let run = try Self.run(["--count", "1"], endpoint: nil)
        #expect(run.status == 69)
        #expect(
            run.errors.hasPrefix(
                "vmguestlibtest: OpenHandle failed: VMware Guest API is not running in a Virtual Machine (endpoint auto"
            ))
    }

    @Test func unparsableEndpointExits78() throws {
        let run = try Self.run(["--count", "1"], endpoint: "carrier-pigeon")
        #expect(run.status == 78)
    }

    @Test func missingHostExits75NamingTheCause() throws {
        let path = "/nonexistent-guestsdk-dir/vm.sock"
        let run = try Self.run(["--count", "1"], endpoint: "unix:" + path)
        #expect(run.status == 75)
        #expect(
            run.errors
                == "vmguestlibtest: UpdateInfo failed: no answer from the host: open failed on unix:\(path) "
                + "(connect: No such file or directory, errno 2)\n")
    }

    @Test func disabledGuestLibExits76WithTheTextAndTheEndpoint() throws {
        var configuration = VMStatisticsConfiguration()
        configuration.host.isGuestLibEnabled = false
        let host = try StatisticsHost(configuration)
        let run = try Self.run(["--count", "1"], endpoint: "unix:" + host.socketPath)
        #expect(run.status == 76)
        #expect(
            run.errors.hasPrefix(
                "vmguestlibtest: UpdateInfo failed: VMware Guest API is not enabled on the host "
                    + "(endpoint unix:\(host.socketPath)"
            )
        )
    }

    @Test func printsEveryStatisticOfEachSample() throws {
        let host = try StatisticsHost()
        host.clock.advance(by: 5)
        let run = try Self.run(["--count", "2", "--interval", "0"], endpoint: "unix:" + host.socketPath)
        #expect(run.status == 0, "\(run.errors)")
        let blocks = run.output.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        try #require(blocks.count == 2)
        #expect(blocks[0].hasPrefix("== sample 1: session 0x1111, protocol 3, endpoint unix:\(host.socketPath)\n"))
        let lines = blocks[0].split(separator: "\n").dropFirst()
        #expect(lines.count == 38)
        #expect(lines.contains("cpuLimitMHz                 4294967295"))
        #expect(lines.contains("elapsedMs                   5000"))
        #expect(lines.contains("resourcePoolPath            /host/cluster/Resources/pool"))
        #expect(lines.contains("hostMemoryKernelOverheadMB  0"))
    }

    @Test func survivesSamplesWhoseElapsedTimeDidNotMove() throws {
        let host = try StatisticsHost()
        let run = try Self.run(["--count", "3", "--interval", "0"], endpoint: "unix:" + host.socketPath)
        #expect(run.status == 0)
        let note = "cpu shares: not computed: elapsed time did not move (the host refreshes its figures once per tick)"
        #expect(run.output.components(separatedBy: note).count == 3)
    }

    @Test func printsSharesOfElapsedTimeInJSON() throws {
        let host = try StatisticsHost()
        // Every request moves the host's clock 10 s: the second update sees 10 s more elapsed time.
        host.beforeEachRequest = { host.clock.advance(by: 10) }
        let run = try Self.run(["--count", "2", "--interval", "0", "--json"], endpoint: "unix:" + host.socketPath)
        #expect(run.status == 0)
        let lines = run.output.split(separator: "\n")
        try #require(lines.count == 2)
        let second = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        )
        let shares = try #require(second["shares"] as? [String: Any])
        #expect((shares["elapsedMs"] as? NSNumber)?.intValue == 10000)
        #expect(shares["cpuUsed"] as? Double == 0.5)
        #expect(shares["cpuStolen"] as? Double == 0.01)
        let statistics = try #require(second["statistics"] as? [String: Any])
        #expect((statistics["cpuShares"] as? NSNumber)?.intValue == 2000)
        #expect((statistics["elapsedMs"] as? NSNumber)?.intValue == 20000)
        #expect(second["sessionId"] as? String == "0x1111")
    }

    @Test func interruptEndsTheLoopWithStatus0() throws {
        let host = try StatisticsHost()
        let run = try Self.run(
            ["--interval", "30"], endpoint: "unix:" + host.socketPath, interruptAfterFirstSample: true)
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("== sample 1:"))
    }
}

/// Reads a pipe to its end on another thread.
final class PipeReader: @unchecked Sendable {
    private let group = DispatchGroup()
    private var data = Data()

    init(_ handle: FileHandle) {
        self.group.enter()
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.group.leave()
        }
    }

    func wait() -> Data {
        self.group.wait()
        return self.data
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import GuestRPC
import HostAgent
import Testing

/// VMware's libguestlib.so.0 (Debian's open-vm-tools) against `GuestLibService` over the real server socket.
@Suite(
    "Interop: VMware's libguestlib.so.0 against the host agent", .serialized,
    .enabled(if: OpenVMToolsPeer.shouldRun, "open-vm-tools is not unpacked; run scripts/setup")
)
struct GuestLibInteropTests {
    /// Runs the client and splits its output into blocks, one per step.
    func run(_ steps: [String], on host: StatisticsHost) throws -> [ArraySlice<String>] {
        let peer = try OpenVMToolsPeer.shared.get()
        let run = try peer.run(steps, socketPath: host.socketPath)
        #expect(run.status == 0, "client exited \(run.status): \(run.standardError)")
        #expect(!run.standardError.contains("blocked"), "the library tried the backdoor: \(run.standardError)")
        #expect(run.lines.first == "OpenHandle 0")
        var blocks: [ArraySlice<String>] = []
        var start = 1
        for (index, line) in run.lines.enumerated() where line == "end" {
            blocks.append(run.lines[start..<index])
            start = index + 1
        }
        try #require(blocks.count == steps.count, "output: \(run.lines)")
        return blocks
    }

    @Test func v3HostAnswersEveryGetterWithTheConfiguredValues() throws {
        let host = try StatisticsHost()
        host.clock.advance(by: 42)
        let blocks = try self.run(["update"], on: host)
        #expect(blocks[0].first == "UpdateInfo 0")
        let expected = ExpectedGetters.lines(for: host.statistics.sample().snapshot(), handleVersion: 3)
        #expect(ExpectedGetters.parse(blocks[0]) == expected)
        #expect(expected["ElapsedMs"] == "0 42000")
        #expect(expected["CpuUsedMs"] == "0 21000")
        #expect(host.requests == ["vm1 guestlib.info.get"])
    }

    @Test func v2OnlyHostIsNegotiatedDownAndAnswersTheV2Getters() throws {
        var configuration = VMStatisticsConfiguration()
        configuration.host.protocolVersion = .v2
        let host = try StatisticsHost(configuration)
        host.clock.advance(by: 7)
        let blocks = try self.run(["update"], on: host)
        #expect(blocks[0].first == "UpdateInfo 0")
        let expected = ExpectedGetters.lines(for: host.statistics.sample().snapshot(), handleVersion: 2)
        #expect(ExpectedGetters.parse(blocks[0]) == expected)
        #expect(host.requests == ["vm1 guestlib.info.get", "vm1 guestlib.info.get"])
        let replies = host.log.entries.filter { $0.message == "guestlib request" }
        #expect(replies.count == 2)
    }

    @Test func vMotionBetweenTwoUpdatesGivesTheNewSessionsValues() throws {
        let host = try StatisticsHost()
        host.clock.advance(by: 100)
        let before = host.statistics.sample().snapshot()
        let blocks = try self.run(["update", "stat:text:test-vmotion", "update"], on: host)
        #expect(ExpectedGetters.parse(blocks[0]) == ExpectedGetters.lines(for: before, handleVersion: 3))
        let after = host.statistics.sample().snapshot()
        #expect(after.sessionID == 0x2222)
        #expect(blocks[2].first == "UpdateInfo 0")
        #expect(ExpectedGetters.parse(blocks[2]) == ExpectedGetters.lines(for: after, handleVersion: 3))
        #expect(ExpectedGetters.parse(blocks[2])["ElapsedMs"] == "0 0")
        // The second update sees a new session and renegotiates from version 3: two info.get requests.
        #expect(
            host.requests == [
                "vm1 guestlib.info.get", "vm1 guestlib.stat.get", "vm1 guestlib.info.get", "vm1 guestlib.info.get",
            ]
        )
    }

    @Test func disabledGuestLibIsNotEnabledAndEveryGetterHasNoInfo() throws {
        var configuration = VMStatisticsConfiguration()
        configuration.host.isGuestLibEnabled = false
        let host = try StatisticsHost(configuration)
        let blocks = try self.run(["update"], on: host)
        #expect(blocks[0].first == "UpdateInfo 3")
        let getters = ExpectedGetters.parse(blocks[0])
        #expect(getters.count == 38)
        #expect(getters.values.allSatisfy { $0 == "5 -" })
        #expect(host.requests == ["vm1 guestlib.info.get"])
    }

    @Test(arguments: ["hostInfoOff", "sharesAbove32Bits", "without38", "noLimits"])
    func hostBehaviourReachesTheCClient(_ behaviour: String) throws {
        var configuration = VMStatisticsConfiguration()
        switch behaviour {
        case "hostInfoOff": configuration.host.isHostInfoEnabled = false
        case "sharesAbove32Bits": configuration.values.memoryShares = 5_000_000_000
        case "without38": configuration.host.statisticCount = 37
        default:
            configuration.values.cpuLimitMHz = 0xFFFF_FFFF
            configuration.values.memoryLimitMB = 0xFFFF_FFFF
        }
        let host = try StatisticsHost(configuration)
        host.clock.advance(by: 3)
        let blocks = try self.run(["update"], on: host)
        let expected = ExpectedGetters.lines(for: host.statistics.sample().snapshot(), handleVersion: 3)
        let getters = ExpectedGetters.parse(blocks[0])
        #expect(getters == expected)
        switch behaviour {
        case "hostInfoOff":
            #expect(getters["HostMemPhysMB"] == "4 -")
            #expect(getters["HostMemKernOvhdMB"] == "0 0")
            #expect(getters["MemUsedMB"] == "0 3590")
        case "sharesAbove32Bits":
            #expect(getters["MemShares"] == "4 -")
            #expect(getters["MemShares64"] == "0 5000000000")
        case "without38":
            #expect(getters["MemShares64"] == "0 40960")
        default:
            #expect(getters["CpuLimitMHz"] == "0 4294967295")
            #expect(getters["MemLimitMB"] == "0 4294967295")
        }
    }

    @Test func statGetReachesTheServiceAndReturnsItsDocument() throws {
        let host = try StatisticsHost()
        let blocks = try self.run(["stat:json:session"], on: host)
        #expect(
            Array(blocks[0]) == [
                "StatGet 0 77", #"{"elapsedMs":0,"protocolVersion":3,"sessionId":"0x1111","started":"power-on"}"#,
            ])
        #expect(host.requests == ["vm1 guestlib.stat.get"])
    }

    @Test func shimRedirectsTheVsockConnectAndNeverReachesTheBackdoor() throws {
        let host = try StatisticsHost()
        let peer = try OpenVMToolsPeer.shared.get()
        let run = try peer.run(["update"], socketPath: host.socketPath)
        #expect(run.standardError.contains("VmCheck_IsVirtualWorld() -> TRUE"))
        #expect(run.standardError.contains("connect(fd 3, vsock 0:976) -> \(host.socketPath) = 0"))
        #expect(!run.standardError.contains("blocked"))
        #expect(host.requests == ["vm1 guestlib.info.get"])
    }

    @Test func withoutAHostTheLibraryFallsBackToTheBackdoorAndTheShimStopsIt() throws {
        let peer = try OpenVMToolsPeer.shared.get()
        let run = try peer.run(["update"], socketPath: "/nonexistent/guestsdk.sock")
        #expect(run.status == 86)
        #expect(run.standardError.hasSuffix("vsock-shim: blocked Backdoor\n"))
    }
}

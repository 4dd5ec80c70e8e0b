// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import GuestRPC
import HostAgent
import Testing

/// PROTOCOL.md §17, pitfalls 1–8: GuestLib's Swift client against the host agent over its real Unix socket.
@Suite("Field pitfalls §17 1-8: GuestLib against the host agent's socket", .serialized)
struct FieldPitfallTests {
    /// A handle on VM "vm1" of `host`, through GuestRPC's one-shot Unix-socket channel.
    static func handle(on host: StatisticsHost) throws -> GuestLibHandle {
        try GuestLibHandle(
            endpoint: .unix(path: host.socketPath), isVMwareGuest: { false },
            makeChannel: { try RPCChannelFactory.makeChannel(for: $0, oneShot: true, logger: .disabled) }
        )
    }

    @Test func pitfall1HostWithoutGuestLibIsNotEnabled() throws {
        var configuration = VMStatisticsConfiguration()
        configuration.host.isGuestLibEnabled = false
        let host = try StatisticsHost(configuration)
        let handle = try Self.handle(on: host)
        let error = try #require(throws: GuestLibError.self) { try handle.update() }
        #expect(error == .notEnabled)
        #expect(error.text == "VMware Guest API is not enabled on the host")
        #expect(host.requests == ["vm1 guestlib.info.get"])
    }

    @Test func pitfall2FailedUpdateAfterAGoodOneLeavesNoStaleValues() throws {
        let host = try StatisticsHost()
        let handle = try Self.handle(on: host)
        try handle.update()
        #expect(try handle.cpuLimitMHz.get() == 0xFFFF_FFFF)
        host.statistics.updateConfiguration { $0.host.isGuestLibEnabled = false }
        host.clock.advance(by: 1)
        #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        for id in StatisticID.allCases {
            #expect(handle.value(of: id) == .failure(.noInfo), "\(id)")
        }
        #expect(handle.sessionID == .failure(.noInfo))
        #expect(handle.memoryShares64 == .failure(.noInfo))
        #expect(handle.hostMemoryKernelOverheadMB == .failure(.noInfo))
        #expect(handle.resourcePoolPath == .failure(.noInfo))
    }

    @Test func pitfall3VMotionChangesTheSessionAndRestartsTheCounters() throws {
        let host = try StatisticsHost()
        host.clock.advance(by: 600)
        let handle = try Self.handle(on: host)
        try handle.update()
        #expect(handle.sessionID == .success(0x1111))
        #expect(handle.elapsedMs == .success(600_000))
        #expect(handle.cpuUsedMs == .success(300_000))
        #expect(handle.cpuStolenMs == .success(6000))

        host.statistics.vMotion()
        host.clock.advance(by: 2)
        try handle.update()
        #expect(handle.sessionID == .success(0x2222))
        #expect(handle.elapsedMs == .success(2000))
        #expect(handle.cpuUsedMs == .success(1000))
        #expect(handle.cpuStolenMs == .success(20))
        #expect(handle.snapshot?.sessionID == 0x2222)
        #expect(host.requests.count == 3)  // one update, then a renegotiation from version 3
    }

    @Test func pitfall4HostInfoOffMakesHostFiguresUnavailableAndKeepsGuestFigures() throws {
        var configuration = VMStatisticsConfiguration()
        configuration.host.isHostInfoEnabled = false
        let host = try StatisticsHost(configuration)
        let handle = try Self.handle(on: host)
        try handle.update()
        #expect(handle.hostCPUCoreCount == .failure(.notAvailable))
        #expect(handle.hostCPUUsedMs == .failure(.notAvailable))
        #expect(handle.hostMemoryPhysicalMB == .failure(.notAvailable))
        #expect(handle.hostMemoryPhysicalFreeMB == .failure(.notAvailable))
        #expect(handle.hostMemoryUnmappedMB == .failure(.notAvailable))
        #expect(handle.memoryUsedMB == .success(3590))
        #expect(handle.cpuReservationMHz == .success(1000))
        #expect(handle.memoryTargetSizeMB == .success(4096))
    }

    @Test func pitfall5MemorySharesAbove32BitsAreExactIn64BitsOnly() throws {
        var configuration = VMStatisticsConfiguration()
        configuration.values.memoryShares = 5_000_000_000
        let host = try StatisticsHost(configuration)
        let handle = try Self.handle(on: host)
        try handle.update()
        #expect(handle.memoryShares == .failure(.notAvailable))
        #expect(handle.memoryShares64 == .success(5_000_000_000))
    }

    @Test func pitfall5HostWithoutId38FallsBackToThe32BitShares() throws {
        var configuration = VMStatisticsConfiguration()
        configuration.host.statisticCount = 37
        let host = try StatisticsHost(configuration)
        let handle = try Self.handle(on: host)
        try handle.update()
        #expect(handle.value(of: .memoryShares64) == .failure(.unsupportedVersion))
        #expect(handle.memoryShares64 == .success(40960))
    }

    @Test func pitfall6HostMemoryKernelOverheadIsAlwaysZero() throws {
        let host = try StatisticsHost()
        #expect(host.statistics.sample().values.hostMemoryKernelOverheadMB == 1200)
        let handle = try Self.handle(on: host)
        try handle.update()
        #expect(handle.hostMemoryKernelOverheadMB == .success(0))
        #expect(handle.value(of: .hostMemoryKernelOverheadMB) == .success(.uint64(1200)))
    }

    @Test func pitfall7ResourcePoolPathOf300CharactersFollowsTheBufferRules() throws {
        var configuration = VMStatisticsConfiguration()
        let path = "/" + String(repeating: "r", count: 299)
        configuration.values.resourcePoolPath = path
        let host = try StatisticsHost(configuration)
        let handle = try Self.handle(on: host)
        try handle.update()
        #expect(handle.resourcePoolPath(bufferSize: 10) == .success(.bufferTooSmall(requiredSize: 301)))
        #expect(handle.resourcePoolPath(bufferSize: 301) == .success(.copy(Array(path.utf8) + [0])))
        #expect(handle.resourcePoolPath == .success(path))
    }

    @Test func pitfall8NoHypervisorAndNoEndpointAnswersNotRunningInAVM() throws {
        #expect(throws: GuestLibError.notRunningInVM) {
            try GuestLibHandle(
                endpoint: .auto, isVMwareGuest: { false },
                makeChannel: { _ in
                    Issue.record("a channel was made outside a VM")
                    throw RPCError(.notRunningInVM, endpoint: .auto)
                })
        }
        // The build machines are not VMware guests (HELPERS.md); there CPUID answers no for the real check too.
        if !Hypervisor.detect().isVMware {
            #expect(throws: GuestLibError.notRunningInVM) { try GuestLibHandle(endpoint: .backdoor) }
            #expect(throws: GuestLibError.notRunningInVM) { try GuestLibHandle(endpoint: .auto) }
        }
    }
}

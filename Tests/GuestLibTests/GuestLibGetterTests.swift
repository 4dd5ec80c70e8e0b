// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib
import Testing

@Suite struct GuestLibGetterTests {
    static let v3OnlyIDs = StatisticID.allCases.filter { !$0.isInV2 }

    /// A handle updated from `host`.
    static func updated(_ host: FakeHost) throws -> GuestLibHandle {
        let handle = try host.openHandle()
        try handle.update()
        return handle
    }

    @Test func aNewHandleAnswersNoInfoFirst() throws {
        let handle = try FakeHost(.v3).openHandle()
        for id in StatisticID.allCases {
            #expect(handle.value(of: id).failureCode == 5)
        }
        #expect(handle.sessionID.failureCode == 5)
        #expect(handle.cpuStolenMs.failureCode == 5)
        #expect(handle.memoryShares64.failureCode == 5)
        #expect(handle.hostMemoryKernelOverheadMB.failureCode == 5)
        #expect(handle.resourcePoolPath(bufferSize: 1).failureCode == 5)
    }

    @Test func aV3HandleAnswersEveryStatisticTheHostSent() throws {
        let handle = try Self.updated(FakeHost(.v3))
        for entry in Fixtures.fullSnapshot().entries {
            #expect(handle.value(of: entry.id) == .success(entry.value))
        }
        #expect(handle.cpuLimitMHz == .success(200))
        #expect(handle.memoryBalloonedMB == .success(1_200))
        #expect(handle.elapsedMs == .success(17 << 33 | 7))
        #expect(handle.hostCPUCoreCount == .success(2_100))
        #expect(handle.memoryBalloonMaxMB == .success(3_600))
    }

    @Test func aV3HandleAnswersNotAvailableForAnInvalidStatistic() throws {
        var snapshot = Fixtures.fullSnapshot()
        snapshot.entries[21] = StatisticEntry(id: .hostCPUUsedMs, isValid: false, value: .uint64(99))
        let handle = try Self.updated(FakeHost(.v3, snapshot: snapshot))
        let error = #expect(throws: GuestLibError.notAvailable) { try handle.hostCPUUsedMs.get() }
        #expect(error?.detail == "the host marks hostCPUUsedMs (id 22) invalid")
    }

    @Test func aV3HandleAnswersUnsupportedVersionBeyondTheHostsCount() throws {
        let handle = try Self.updated(FakeHost(.v3, snapshot: Fixtures.snapshot(count: 30)))
        #expect(handle.hostMemoryUnmappedMB == .success(30 << 33 | 7))
        for id in StatisticID.allCases where id.rawValue > 30 {
            #expect(handle.value(of: id).failureCode == 10)
        }
        let error = #expect(throws: GuestLibError.unsupportedVersion) { try handle.memoryZippedMB.get() }
        #expect(error?.detail == "memoryZippedMB (id 31) is newer than the host, which sent 30 statistics")
    }

    @Test func unsupportedVersionComesBeforeNotAvailable() throws {
        var snapshot = Fixtures.snapshot(count: 20)
        snapshot.entries[19].isValid = false
        let handle = try Self.updated(FakeHost(.v3, snapshot: snapshot))
        #expect(handle.memoryTargetSizeMB.failureCode == 4)
        #expect(handle.hostCPUCoreCount.failureCode == 10)
    }

    @Test func aV2HandleAnswersEveryV2Statistic() throws {
        let handle = try Self.updated(FakeHost(.v2Only))
        for entry in Fixtures.snapshot(count: 18).entries {
            #expect(handle.value(of: entry.id) == .success(entry.value))
        }
        #expect(handle.cpuUsedMs == .success(4 << 33 | 7))
    }

    @Test func aV2HandleAnswersNotAvailableForAnInvalidStatistic() throws {
        var snapshot = Fixtures.fullSnapshot()
        snapshot.entries[6].isValid = false
        let handle = try Self.updated(FakeHost(.v2Only, snapshot: snapshot))
        #expect(handle.memoryLimitMB.failureCode == 4)
        #expect(handle.memoryReservationMB == .success(600))
    }

    @Test func aV2HandleAnswersUnsupportedVersionForEveryV3OnlyGetter() throws {
        // §12 #5: the reference reads V2 bytes as V3 here; release builds answer UNSUPPORTED_VERSION.
        let handle = try Self.updated(FakeHost(.v2Only))
        for id in Self.v3OnlyIDs {
            #expect(handle.value(of: id).failureCode == 10)
        }
        let error = #expect(throws: GuestLibError.unsupportedVersion) { try handle.cpuStolenMs.get() }
        #expect(error?.detail == "cpuStolenMs (id 19) is V3 only; the host speaks V2")
    }

    @Test func noInfoComesBeforeUnsupportedVersionOnAV2Handle() throws {
        let host = FakeHost(.v2Only)
        let handle = try Self.updated(host)
        host.mode = .disabled
        #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        for id in Self.v3OnlyIDs {
            #expect(handle.value(of: id).failureCode == 5)
        }
    }

    @Test func memoryShares64AnswersTheExactValueAbove32Bits() throws {
        var snapshot = Fixtures.fullSnapshot()
        snapshot.entries[7] = .unavailable(.memoryShares)
        snapshot.entries[37].value = .uint64(5_000_000_000)
        let handle = try Self.updated(FakeHost(.v3, snapshot: snapshot))
        #expect(handle.memoryShares64 == .success(5_000_000_000))
        #expect(handle.memoryShares.failureCode == 4)
    }

    @Test func memoryShares64FallsBackOnAHostWithoutID38() throws {
        let handle = try Self.updated(FakeHost(.v3, snapshot: Fixtures.snapshot(count: 37)))
        #expect(handle.memoryShares64 == .success(800))
    }

    @Test func memoryShares64FallsBackOnAV2Handle() throws {
        let handle = try Self.updated(FakeHost(.v2Only))
        #expect(handle.memoryShares64 == .success(800))
    }

    @Test func memoryShares64KeepsUnsupportedVersionWhenTheFallbackFails() throws {
        var snapshot = Fixtures.snapshot(count: 37)
        snapshot.entries[7] = .unavailable(.memoryShares)
        let handle = try Self.updated(FakeHost(.v3, snapshot: snapshot))
        #expect(handle.memoryShares64.failureCode == 10)
    }

    @Test func memoryShares64AnswersNotAvailableWithoutFallback() throws {
        var snapshot = Fixtures.fullSnapshot()
        snapshot.entries[37] = .unavailable(.memoryShares64)
        let handle = try Self.updated(FakeHost(.v3, snapshot: snapshot))
        #expect(handle.memoryShares == .success(800))
        #expect(handle.memoryShares64.failureCode == 4)
    }

    @Test func hostMemoryKernelOverheadIsAlwaysZero() throws {
        var snapshot = Fixtures.fullSnapshot()
        #expect(try Self.updated(FakeHost(.v3, snapshot: snapshot)).hostMemoryKernelOverheadMB == .success(0))
        snapshot.entries[27] = .unavailable(.hostMemoryKernelOverheadMB)
        #expect(try Self.updated(FakeHost(.v3, snapshot: snapshot)).hostMemoryKernelOverheadMB == .success(0))
        #expect(
            try Self.updated(FakeHost(.v3, snapshot: Fixtures.snapshot(count: 18))).hostMemoryKernelOverheadMB
                == .success(0))
        #expect(try Self.updated(FakeHost(.v2Only)).hostMemoryKernelOverheadMB == .success(0))
    }
}

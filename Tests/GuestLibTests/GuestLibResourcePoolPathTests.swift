// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib
import Testing

@Suite struct GuestLibResourcePoolPathTests {
    static let path300 = "/" + String(repeating: "p", count: 299)

    static func handle(_ mode: FakeHost.Mode, path: String) throws -> GuestLibHandle {
        let handle = try FakeHost(mode, snapshot: Fixtures.fullSnapshot(path: path)).openHandle()
        try handle.update()
        return handle
    }

    @Test func aTenByteBufferIsTooSmallForA300CharacterPath() throws {
        let handle = try Self.handle(.v3, path: Self.path300)
        #expect(handle.resourcePoolPath(bufferSize: 10) == .success(.bufferTooSmall(requiredSize: 301)))
    }

    @Test func anExactBufferGetsThePathAndItsNul() throws {
        let handle = try Self.handle(.v3, path: Self.path300)
        #expect(handle.resourcePoolPath(bufferSize: 301) == .success(.copy(Array(Self.path300.utf8) + [0])))
        #expect(handle.resourcePoolPath(bufferSize: 300) == .success(.bufferTooSmall(requiredSize: 301)))
    }

    @Test func aLargerBufferGetsOnlyThePathAndItsNul() throws {
        let handle = try Self.handle(.v2Only, path: Self.path300)
        #expect(handle.resourcePoolPath(bufferSize: 4_096) == .success(.copy(Array(Self.path300.utf8) + [0])))
        #expect(handle.resourcePoolPath == .success(Self.path300))
    }

    @Test func aV3PathNeedsAtMost513Bytes() throws {
        let handle = try Self.handle(.v3, path: String(repeating: "a", count: 512))
        #expect(handle.resourcePoolPath(bufferSize: 1) == .success(.bufferTooSmall(requiredSize: 513)))
    }

    @Test func aV2PathNeedsAtMost512Bytes() throws {
        let handle = try Self.handle(.v2Only, path: String(repeating: "a", count: 512))
        #expect(handle.resourcePoolPath(bufferSize: 1) == .success(.bufferTooSmall(requiredSize: 512)))
    }

    @Test func thePathEndsAtItsFirstNul() throws {
        let handle = try Self.handle(.v3, path: "/ab\u{0}cd")
        #expect(handle.resourcePoolPath(bufferSize: 100) == .success(.copy([0x2F, 0x61, 0x62, 0])))
    }

    @Test func anInvalidPathIsNotAvailable() throws {
        var snapshot = Fixtures.fullSnapshot()
        snapshot.entries[17] = .unavailable(.resourcePoolPath)
        let handle = try FakeHost(.v3, snapshot: snapshot).openHandle()
        try handle.update()
        #expect(handle.resourcePoolPath(bufferSize: 100).failureCode == 4)
    }

    @Test func aV3HostWithFewerThan18StatisticsIsUnsupportedVersion() throws {
        // §12 #4: the reference reads out of bounds here.
        let handle = try FakeHost(.v3, snapshot: Fixtures.snapshot(count: 17)).openHandle()
        try handle.update()
        #expect(handle.resourcePoolPath(bufferSize: 100).failureCode == 10)
    }
}

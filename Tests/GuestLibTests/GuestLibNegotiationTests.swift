// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import GuestLib
import GuestRPC
import Testing

@Suite struct GuestLibNegotiationTests {
    @Test func v3HostAnswersTheFirstRequest() throws {
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        try handle.update()
        #expect(host.requests == ["guestlib.info.get 3"])
        #expect(handle.protocolVersion == 3)
        #expect(try handle.sessionID.get() == 0x1122_3344_5566_7788)
        #expect(handle.snapshot == host.snapshot)
    }

    @Test func eachUpdateHoldsExactlyItsOwnEntriesWhenTheCountChanges() throws {
        // An update decodes into the last update's entries: none may be left over or missing.
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        let full = Fixtures.fullSnapshot()
        var shorter = Fixtures.fullSnapshot(path: "/a/much/longer/resource/pool/path")
        shorter.entries.removeLast(17)

        for expected in [full, shorter, full, shorter] {
            host.snapshot = expected
            try handle.update()
            #expect(handle.snapshot == expected)
        }
        #expect(try handle.resourcePoolPath.get() == "/a/much/longer/resource/pool/path")
    }

    @Test func aSnapshotTakenBeforeAnUpdateKeepsItsValues() throws {
        // The update decodes over the handle's entries, which the earlier snapshot shares.
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        try handle.update()
        let before = try #require(handle.snapshot)
        host.snapshot = Fixtures.fullSnapshot(path: "/another/pool")
        try handle.update()
        #expect(before == Fixtures.fullSnapshot())
        #expect(handle.snapshot == Fixtures.fullSnapshot(path: "/another/pool"))
    }

    @Test func anUpdateThatFailsHalfWayLeavesNothingAndTheNextIsWhole() throws {
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        try handle.update()
        let xdr = Fixtures.be(2) + Fixtures.u32Entry(id: 1, value: 5) + Fixtures.u32Entry(id: 4, value: 5)
        host.mode = .fixed(RPCReply(succeeded: true, payload: Fixtures.v3Payload(sessionID: 7, xdr: xdr)))
        #expect(throws: GuestLibError.other) { try handle.update() }
        #expect(handle.snapshot == nil)
        #expect(handle.value(of: .cpuReservationMHz).failureCode == GuestLibError.noInfo.cCode)
        host.mode = .v3
        try handle.update()
        #expect(handle.snapshot == host.snapshot)
    }

    @Test func sessionZeroAfterAGoodUpdateHoldsNoDataUntilTheNextGoodOne() throws {
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        try handle.update()
        host.snapshot = Fixtures.fullSnapshot(sessionID: 0)
        try handle.update()
        #expect(handle.snapshot == nil)
        #expect(handle.cpuLimitMHz.failureCode == 5)
        host.snapshot = Fixtures.fullSnapshot()
        try handle.update()
        #expect(handle.snapshot == Fixtures.fullSnapshot())
    }

    @Test func v2OnlyHostSeesThreeThenTwo() throws {
        let host = FakeHost(.v2Only)
        let handle = try host.openHandle()
        try handle.update()
        #expect(host.requests == ["guestlib.info.get 3", "guestlib.info.get 2"])
        #expect(handle.protocolVersion == 2)
        #expect(handle.snapshot == Fixtures.snapshot(count: 18))
    }

    @Test func laterUpdatesStartAtTheVersionThatSucceeded() throws {
        let host = FakeHost(.v2Only)
        let handle = try host.openHandle()
        try handle.update()
        try handle.update()
        #expect(host.requests == ["guestlib.info.get 3", "guestlib.info.get 2", "guestlib.info.get 2"])
    }

    @Test func unknownCommandIsNotEnabledWithoutAFallback() throws {
        let host = FakeHost(.disabled)
        let handle = try host.openHandle()
        let error = #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        #expect(error?.text == "VMware Guest API is not enabled on the host")
        #expect(error?.reply == Array("Unknown command".utf8))
        #expect(host.requests == ["guestlib.info.get 3"])
    }

    @Test func unknownCommandMustMatchExactly() throws {
        let host = FakeHost(.fixed(.failure("Unknown Command")))
        let handle = try host.openHandle()
        #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        #expect(host.requests == ["guestlib.info.get 3", "guestlib.info.get 2"])
    }

    @Test func aFailedVersionTwoIsNotEnabled() throws {
        let host = FakeHost(.fixed(.failure("nope")))
        let handle = try host.openHandle()
        let error = #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        #expect(error?.reply == Array("nope".utf8))
        #expect(host.requests == ["guestlib.info.get 3", "guestlib.info.get 2"])
    }

    @Test func anUnreachableHostIsNotEnabledWithTheTransportText() throws {
        let host = FakeHost(.unreachable(RPCError(.openFailed, endpoint: .unix(path: "/fake/vm.sock"))))
        let handle = try host.openHandle()
        let error = #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        #expect(error?.reply == Array("RpcChannel: Unable to open the communication channel".utf8))
    }

    @Test func anUnreachableHostIsReportedAsNoAnswerWithTheCause() throws {
        let cause = RPCError(.openFailed, endpoint: .unix(path: "/fake/vm.sock"), systemCall: "connect", errorNumber: 2)
        let host = FakeHost(.unreachable(cause))
        let handle = try host.openHandle()
        let error = #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        #expect(error?.transportError == cause)
        #expect(error?.detail == "no answer to guestlib.info.get 2: \(cause)")
        #expect(host.channelAttempts == 2)
    }

    @Test func aHostThatTimedOutIsNotAskedForVersionTwo() throws {
        let timeout = RPCError(
            .receiveFailed, endpoint: .unix(path: "/fake/vm.sock"), systemCall: "recv", errorNumber: EAGAIN,
            detail: "the host did not answer within 30 s")
        let host = FakeHost(.unreachable(timeout))
        let handle = try host.openHandle()
        let error = #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        #expect(error?.transportError == timeout)
        #expect(error?.detail == "no answer to guestlib.info.get 3: \(timeout)")
        #expect(host.channelAttempts == 1)
    }

    @Test func aHostThatAnswersIsNoTransportFailure() throws {
        let host = FakeHost(.disabled)
        let handle = try host.openHandle()
        let error = #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        #expect(error?.transportError == nil)
    }

    @Test func sessionChangeOnAV3HostRenegotiatesFromThree() throws {
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        try handle.update()
        host.snapshot.sessionID = 0xBEEF
        try handle.update()
        #expect(host.requests == Array(repeating: "guestlib.info.get 3", count: 3))
        #expect(try handle.sessionID.get() == 0xBEEF)
    }

    @Test func sessionChangeOnAV2HandleRenegotiatesFromThree() throws {
        let host = FakeHost(.v2Only)
        let handle = try host.openHandle()
        try handle.update()
        host.snapshot.sessionID = 0xBEEF
        try handle.update()
        #expect(
            host.requests == [
                "guestlib.info.get 3", "guestlib.info.get 2", "guestlib.info.get 2", "guestlib.info.get 3",
                "guestlib.info.get 2",
            ])
        #expect(try handle.sessionID.get() == 0xBEEF)
    }

    @Test func vMotionToAV3HostUpgradesAV2Handle() throws {
        let host = FakeHost(.v2Only)
        let handle = try host.openHandle()
        try handle.update()
        host.mode = .v3
        host.snapshot.sessionID = 0xBEEF
        try handle.update()
        #expect(host.requests.suffix(2) == ["guestlib.info.get 2", "guestlib.info.get 3"])
        #expect(handle.protocolVersion == 3)
        #expect(try handle.cpuStolenMs.get() == 19 << 33 | 7)
    }

    @Test func eachAttemptUsesANewOneShotChannel() throws {
        let host = FakeHost(.v2Only)
        let handle = try host.openHandle()
        try handle.update()
        #expect(host.channelsMade == 2)
        #expect(host.channelsClosed == 2)
    }

    @Test func aFailedUpdateAfterAGoodOneLeavesNoStaleValues() throws {
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        try handle.update()
        host.mode = .disabled
        #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        for id in StatisticID.allCases {
            #expect(handle.value(of: id).failureCode == GuestLibError.noInfo.cCode)
        }
        #expect(handle.sessionID.failureCode == 5)
        #expect(handle.memoryShares64.failureCode == 5)
        #expect(handle.hostMemoryKernelOverheadMB.failureCode == 5)
        #expect(handle.resourcePoolPath(bufferSize: 1000).failureCode == 5)
        #expect(handle.snapshot == nil)
        #expect(handle.protocolVersion == nil)
    }

    @Test func aGoodUpdateAfterAFailedOneRestoresTheValues() throws {
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        host.mode = .disabled
        #expect(throws: GuestLibError.notEnabled) { try handle.update() }
        host.mode = .v3
        try handle.update()
        #expect(try handle.cpuLimitMHz.get() == 200)
    }

    @Test func aCountThatCannotBeDecodedIsOtherAndClearsTheSession() throws {
        // §12 #1: the reference reports success with stale data here.
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        try handle.update()
        let payload = GuestLibWire.v3Header(sessionID: 0x1122_3344_5566_7788, dataSize: 2) + [0, 0]
        host.mode = .fixed(RPCReply(succeeded: true, payload: payload))
        #expect(throws: GuestLibError.other) { try handle.update() }
        #expect(handle.cpuLimitMHz.failureCode == 5)
    }

    @Test func aBadEntryIsOtherAndClearsTheSession() throws {
        // §12 #2: the reference reports success and then NO_INFO.
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        let xdr = Fixtures.be(2) + Fixtures.u32Entry(id: 1, value: 5) + Fixtures.u32Entry(id: 4, value: 5)
        host.mode = .fixed(RPCReply(succeeded: true, payload: Fixtures.v3Payload(sessionID: 7, xdr: xdr)))
        let error = #expect(throws: GuestLibError.other) { try handle.update() }
        #expect(error?.detail == "guestlib.info.get 3 reply: V3 entry 1 has id 4 where 2 was required")
        #expect(handle.cpuReservationMHz.failureCode == 5)
    }

    @Test func aDataSizeBeyondTheReplyIsOther() throws {
        // §12 #3.
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        var payload = GuestLibWire.encodeV3(host.snapshot)
        payload[12] &+= 1
        host.mode = .fixed(RPCReply(succeeded: true, payload: payload))
        #expect(throws: GuestLibError.other) { try handle.update() }
    }

    @Test func aReplyWithAnotherVersionIsOther() throws {
        let host = FakeHost(.fixed(RPCReply(succeeded: true, payload: GuestLibWire.encodeV2(Fixtures.fullSnapshot()))))
        let handle = try host.openHandle()
        let error = #expect(throws: GuestLibError.other) { try handle.update() }
        #expect(error?.detail == "guestlib.info.get 3 reply: reply carries version 2 where 3 was requested")
        #expect(host.requests == ["guestlib.info.get 3"])
    }

    @Test func aV2ReplyOfTheWrongLengthIsOther() throws {
        let host = FakeHost(.v2Only)
        let handle = try host.openHandle()
        try handle.update()
        host.mode = .fixed(RPCReply(succeeded: true, payload: GuestLibWire.encodeV2(host.snapshot) + [0]))
        #expect(throws: GuestLibError.other) { try handle.update() }
        #expect(handle.cpuLimitMHz.failureCode == 5)
    }

    @Test func aHostSessionOfZeroLooksLikeNoInfo() throws {
        // §12 #6: a host must never send session 0; a client that gets one holds no data.
        let host = FakeHost(.v3, snapshot: Fixtures.fullSnapshot(sessionID: 0))
        let handle = try host.openHandle()
        try handle.update()
        #expect(handle.cpuLimitMHz.failureCode == 5)
    }

    @Test func autoOutsideAVMwareVMIsNotRunningInVM() {
        let host = FakeHost(.v3)
        #expect(throws: GuestLibError.notRunningInVM) {
            try GuestLibHandle(endpoint: .auto, isVMwareGuest: { false }, makeChannel: host.makeChannel)
        }
        #expect(throws: GuestLibError.notRunningInVM) {
            try GuestLibHandle(endpoint: .backdoor, isVMwareGuest: { false }, makeChannel: host.makeChannel)
        }
    }

    @Test func anExplicitEndpointSkipsTheVMCheck() throws {
        let host = FakeHost(.v3)
        _ = try GuestLibHandle(
            endpoint: .vsock(cid: 3, port: 976), isVMwareGuest: { false }, makeChannel: host.makeChannel)
        _ = try GuestLibHandle(endpoint: .auto, isVMwareGuest: { true }, makeChannel: host.makeChannel)
        #expect(host.channelsMade == 0)
    }
}

extension Result where Failure == GuestLibError {
    /// The failure's C code, or 0 on success.
    var failureCode: Int32 {
        if case .failure(let error) = self { return error.cCode }
        return 0
    }
}

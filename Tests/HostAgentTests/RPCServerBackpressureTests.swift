// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import GuestRPC
import Testing

@testable import HostAgent

/// The RPC server's back-pressure on its event loops: reply delays, pipelined requests, and peers
/// that read their replies slowly or not at all.
@Suite("RPCServer: reply delays and slow readers on event loops")
struct RPCServerBackpressureTests {
    @Test func aPeerLeavingDuringAReplyDelayReleasesItsConnection() throws {
        let fixture = try ServerFixture()
        fixture.server.setFaultPlan(FaultPlan(replyDelay: .milliseconds(50)), forVM: "vm1")
        for index in 0..<20 {
            let client = try fixture.client()
            try client.write(RPCPacket(payload: Array("echo \(index)".utf8)).encoded())
        }

        #expect(fixture.waitUntilClosed(accepted: 20))
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
        fixture.server.setFaultPlan(.none, forVM: "vm1")
        #expect(try fixture.client().request("echo after") == .success("after"))
    }

    @Test func droppingAConnectionDuringAReplyDelayClosesItWithoutTheReply() throws {
        let fixture = try ServerFixture()
        #expect(fixture.server.setFaultPlan(FaultPlan(replyDelay: .seconds(30)), forVM: "vm1"))
        let client = try fixture.client()
        try client.write(RPCPacket(payload: Array("echo never".utf8)).encoded())
        #expect(fixture.waitUntil { fixture.server.statistics.connectionsOpen == 1 })

        #expect(fixture.server.dropConnections(ofVM: "vm1") == 1)

        #expect(try client.readsEndOfStream())
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
    }

    @Test func pipelinedRequestsUnderAReplyDelayAreEachDelayedAndAnsweredInOrder() throws {
        let fixture = try ServerFixture()
        fixture.server.setFaultPlan(FaultPlan(replyDelay: .milliseconds(3)), forVM: "vm1")
        let client = try fixture.client()
        let requests = (0..<20).map { RPCPacket(payload: Array("echo \($0)".utf8)).encoded() }
        let start = ContinuousClock.now

        try client.write(Array(requests.joined()))

        for index in 0..<20 {
            #expect(try client.readReply() == .success("\(index)"))
        }
        #expect(ContinuousClock.now - start >= .milliseconds(60))
    }

    @Test func aPeerThatNeverReadsALargeReplyThenLeavesReleasesItsConnection() throws {
        let fixture = try ServerFixture()
        for _ in 0..<10 {
            let client = try fixture.client()
            try client.write(RPCPacket(payload: Array("fill \(8 << 20)".utf8)).encoded())
            // More requests, which the server must not read while the reply waits to be written.
            try client.write(RPCPacket(payload: Array("fill \(8 << 20)".utf8)).encoded())
            try client.write(RPCPacket(payload: Array("echo late".utf8)).encoded())
        }

        #expect(fixture.waitUntilClosed(accepted: 10))
        #expect(ServerSockets.wait(untilOpen: 1, under: fixture.stateDirectory))
        #expect(try fixture.client().request("echo after") == .success("after"))
    }

    /// Requests pipelined faster than their replies are read: the server stops reading while
    /// replies wait to be written, and answers every request, in order, once they are read.
    @Test func pipelinedRequestsFromASlowReaderAreAllAnsweredInOrder() throws {
        let fixture = try ServerFixture()
        let client = try fixture.client()
        let count = 10_000
        let written = DispatchSemaphore(value: 0)
        let writeFailure = Recorder<String>()
        Thread {
            defer { written.signal() }
            do {
                for index in 0..<count {
                    try client.write(RPCPacket(payload: Array("fill \(index % 3000)".utf8)).encoded())
                }
            } catch {
                writeFailure.append("\(error)")
            }
        }.start()

        var mismatches = 0
        let filler = [UInt8](repeating: UInt8(ascii: "A"), count: 3000)
        for index in 0..<count {
            let reply = try client.readReply()
            if !reply.succeeded || reply.payload[...] != filler[..<(index % 3000)] { mismatches += 1 }
        }

        #expect(written.wait(timeout: .now() + 10) == .success)
        #expect(writeFailure.values.isEmpty)
        #expect(mismatches == 0)
    }

    /// Small requests for large replies from a peer that reads nothing: the server answered every
    /// request in a read at once and buffered all the replies (1,000 requests of 13 bytes made
    /// 60 MB here). It now stops answering while 256 KiB of replies wait to be written.
    @Test func smallRequestsForLargeRepliesDoNotBufferEveryReply() throws {
        let answered = Recorder<Int>()
        let fixture = try ServerFixture(requestObserver: { _ in answered.append(1) })
        let client = try fixture.client()

        let request = RPCPacket(payload: Array("fill 60000".utf8)).encoded()
        try client.write(Array([[UInt8]](repeating: request, count: 1000).joined()))

        #expect(poll(seconds: 5) { answered.values.count >= 1 })
        #expect(!poll(seconds: 0.5) { answered.values.count > 50 })
        for _ in 0..<1000 {
            let reply = try client.readReply()
            #expect(reply.payload.count == 60000)
        }
        #expect(answered.values.count == 1000)
    }
}

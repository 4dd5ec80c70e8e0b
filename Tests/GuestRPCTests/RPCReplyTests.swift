// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

@Suite struct RPCReplyTests {
    @Test func successPrefixIsStripped() throws {
        let reply = try #require(RPCReply(wireBytes: Array("1 green".utf8)))
        #expect(reply.succeeded)
        #expect(reply.payload == Array("green".utf8))
    }

    @Test func failurePrefixIsStripped() throws {
        let reply = try #require(RPCReply(wireBytes: Array("0 Unknown command".utf8)))
        #expect(!reply.succeeded)
        #expect(reply.isUnknownCommand)
        #expect(reply.text == "Unknown command")
    }

    @Test func binaryPayloadWithNULBytesKeepsItsExactLength() throws {
        let bytes: [UInt8] = [0x31, 0x20, 0x00, 0xFF, 0x00, 0x00]
        let reply = try #require(RPCReply(wireBytes: bytes))
        #expect(reply.payload == [0x00, 0xFF, 0x00, 0x00])
        #expect(reply.wireBytes == bytes)
    }

    @Test func bareTwoBytePrefixHasAnEmptyPayload() throws {
        let reply = try #require(RPCReply(wireBytes: Array("1 ".utf8)))
        #expect(reply == RPCReply(succeeded: true, payload: []))
    }

    @Test(arguments: [[], [0x31], [0x30]] as [[UInt8]])
    func replyShorterThanTwoBytesIsRejected(bytes: [UInt8]) {
        #expect(RPCReply(wireBytes: bytes) == nil)
    }

    @Test(arguments: ["2 x", "1x", "11", " 1", "ok", "\u{0}1 ", "a "])
    func badPrefixIsRejected(text: String) {
        #expect(RPCReply(wireBytes: Array(text.utf8)) == nil)
    }

    @Test func sliceWithNonZeroStartIndexIsRead() throws {
        let bytes: [UInt8] = Array("xx0 no".utf8)
        let reply = try #require(RPCReply(wireBytes: bytes[2...]))
        #expect(reply == .failure("no"))
    }

    @Test func unknownCommandComparisonIsExact() {
        #expect(!RPCReply.failure("Unknown Command").isUnknownCommand)
        #expect(!RPCReply.failure("Unknown command ").isUnknownCommand)
        #expect(!RPCReply.success("Unknown command").isUnknownCommand)
    }

    @Test func wireBytesPutThePrefixBack() {
        #expect(RPCReply.success("0").wireBytes == Array("1 0".utf8))
        #expect(
            RPCReply.failure("Permission denied").wireBytes == Array("0 Permission denied".utf8))
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC
import Testing

@testable import HostAgent

@Suite("RPCServer: reply packets framed without intermediate arrays")
struct RPCServerReplyPacketTests {
    static let replies: [RPCReply] = [
        .success(""), .failure(""), .success("hi"), .failure(RPCReply.unknownCommandText),
        RPCReply(succeeded: true, payload: (0..<620).map { UInt8(truncatingIfNeeded: $0) }),
        RPCReply(succeeded: false, payload: [UInt8](repeating: 0xff, count: 70_000)),
    ]

    @Test(arguments: replies)
    func appendedPacketIsTheEncodedPacketOfTheWireBytes(reply: RPCReply) {
        var output: [UInt8] = [7]

        ReplyPacket.append(reply, to: &output)

        #expect(output == [7] + RPCPacket(payload: reply.wireBytes).encoded())
    }

    @Test(arguments: replies)
    func headerIsTheEncodedPacketUpToThePayloadAfterTheStatus(reply: RPCReply) {
        var header = [UInt8](repeating: 0, count: ReplyPacket.headerSize)

        header.withUnsafeMutableBytes { ReplyPacket.writeHeader(of: reply, into: $0) }

        #expect(header == Array(RPCPacket(payload: reply.wireBytes).encoded().prefix(ReplyPacket.headerSize)))
    }
}

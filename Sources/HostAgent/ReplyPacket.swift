// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import GuestRPC

/// The framed packet of one reply, byte for byte `RPCPacket(payload: reply.wireBytes).encoded()`,
/// laid out without building those two arrays: a fixed header (length word, packet type field,
/// payload field id and length, and the `1 ` or `0 ` status) followed by the reply's payload.
///
/// The server writes the header from a stack buffer and the payload from the reply's own storage
/// in one `sendmsg`, or appends both to a connection's pending output: one copy at most.
enum ReplyPacket {
    /// `RPCPacket(payload: []).encoded()`: the layout every reply packet starts with.
    private static let template: [UInt8] = RPCPacket(payload: []).encoded()
    /// Where the payload field's length word sits in the header.
    private static let payloadLengthOffset = template.count - 4
    /// The header's size: the template and the two status bytes.
    static let headerSize = template.count + 2

    /// Writes the header of `reply`'s packet into `header`, which holds `headerSize` bytes.
    ///
    /// - Parameters:
    ///   - reply: the reply whose packet it starts.
    ///   - header: at least `headerSize` bytes.
    static func writeHeader(of reply: RPCReply, into header: UnsafeMutableRawBufferPointer) {
        let template = Self.template
        template.withUnsafeBytes { header.copyMemory(from: $0) }
        let payloadLength = 2 + reply.payload.count
        header.storeBytes(
            of: UInt32(template.count - 4 + payloadLength).bigEndian, toByteOffset: 0, as: UInt32.self)
        header.storeBytes(
            of: UInt32(payloadLength).bigEndian, toByteOffset: Self.payloadLengthOffset, as: UInt32.self)
        header[template.count] = reply.succeeded ? UInt8(ascii: "1") : UInt8(ascii: "0")
        header[template.count + 1] = UInt8(ascii: " ")
    }

    /// Appends `reply`'s whole packet to `output`.
    ///
    /// - Parameters:
    ///   - reply: the reply to frame.
    ///   - output: the bytes waiting to be written.
    static func append(_ reply: RPCReply, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(byteCount: Self.headerSize, alignment: 4) { header in
            Self.writeHeader(of: reply, into: header)
            output.append(contentsOf: UnsafeRawBufferPointer(header))
        }
        output.append(contentsOf: reply.payload)
    }

    /// The size of `reply`'s whole packet.
    static func packetSize(of reply: RPCReply) -> Int {
        Self.headerSize + reply.payload.count
    }

    /// The bytes of `reply`'s packet from `offset` on: what waits after a partial send.
    static func bytes(of reply: RPCReply, from offset: Int) -> [UInt8] {
        var packet: [UInt8] = []
        packet.reserveCapacity(Self.packetSize(of: reply))
        Self.append(reply, to: &packet)
        return Array(packet[offset...])
    }

    /// Sends `reply`'s packet on `descriptor` with one `sendmsg`: the header from a stack buffer, the
    /// payload from the reply's storage; again after EINTR, never raising SIGPIPE.
    ///
    /// - Returns: the bytes the socket took (0 when it is full: `EAGAIN`), or -1 and the errno of
    ///   the failed call.
    static func send(_ reply: RPCReply, on descriptor: Int32) -> (written: Int, errorNumber: Int32) {
        withUnsafeTemporaryAllocation(byteCount: Self.headerSize, alignment: 4) { header in
            Self.writeHeader(of: reply, into: header)
            return reply.payload.withUnsafeBytes { payload in
                while true {
                    let written = Self.sendVectors(UnsafeRawBufferPointer(header), payload, on: descriptor)
                    if written >= 0 { return (written, 0) }
                    let error = errno
                    if error == EAGAIN || error == EWOULDBLOCK { return (0, 0) }
                    if error != EINTR { return (-1, error) }
                }
            }
        }
    }

    /// One `sendmsg` of `header` then `payload`, without SIGPIPE; -1 with errno set on failure.
    private static func sendVectors(
        _ header: UnsafeRawBufferPointer, _ payload: UnsafeRawBufferPointer, on descriptor: Int32
    ) -> Int {
        var vectors = (
            iovec(iov_base: UnsafeMutableRawPointer(mutating: header.baseAddress), iov_len: header.count),
            iovec(iov_base: UnsafeMutableRawPointer(mutating: payload.baseAddress), iov_len: payload.count)
        )
        return withUnsafeMutableBytes(of: &vectors) { vectors in
            var message = msghdr()
            message.msg_iov = vectors.baseAddress!.assumingMemoryBound(to: iovec.self)
            message.msg_iovlen = 2
            return sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL))
        }
    }
}

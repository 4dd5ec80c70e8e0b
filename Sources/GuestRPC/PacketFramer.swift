// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Cuts a byte stream into whole packets: a 4-byte big-endian length N, then N bytes.
///
/// Bytes arrive in any pieces; `nextPacket()` returns nil until a whole packet
/// is buffered. The length is checked against `maximumLength` as soon as its
/// four bytes arrive, before the body is buffered.
public struct PacketFramer: Sendable {
    /// The default largest body accepted: 64 KiB, the host's message limit.
    public static let defaultMaximumLength = 65536

    /// The largest N a length word may announce: larger is a protocol error, never an abort (§12 #11).
    public static let absoluteMaximumLength = 0x7FFF_FFFB

    /// The largest body this framer accepts.
    public let maximumLength: Int

    private var buffer: [UInt8] = []
    private var consumed = 0

    public init(maximumLength: Int = PacketFramer.defaultMaximumLength) {
        self.maximumLength = min(maximumLength, PacketFramer.absoluteMaximumLength)
    }

    /// The number of buffered bytes not yet returned as a packet.
    public var bufferedByteCount: Int { self.buffer.count - self.consumed }

    /// Adds bytes read from the stream.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        self.buffer.append(contentsOf: bytes)
    }

    /// Returns the next whole packet, length word included, or nil when more bytes are needed.
    ///
    /// - Throws: `DataMapError.tooLong` when a length word exceeds the maximum; the
    ///   stream cannot be resynchronised after that and should be closed.
    public mutating func nextPacket() throws -> [UInt8]? {
        var reader = ByteReader(self.buffer, range: self.consumed..<self.buffer.count)
        guard let length = reader.readInteger(as: UInt32.self) else { return nil }
        guard Int(length) <= self.maximumLength else {
            throw DataMapError.tooLong(length: Int(length), maximum: self.maximumLength)
        }
        guard reader.readableBytes >= Int(length) else { return nil }
        let packet = Array(self.buffer[self.consumed..<self.consumed + 4 + Int(length)])
        self.consumed += packet.count
        self.compact()
        return packet
    }

    /// Drops returned bytes once they make up most of the buffer, keeping appends cheap.
    private mutating func compact() {
        if self.consumed == self.buffer.count {
            self.buffer.removeAll(keepingCapacity: true)
            self.consumed = 0
        } else if self.consumed > 4096 && self.consumed * 2 > self.buffer.count {
            self.buffer.removeFirst(self.consumed)
            self.consumed = 0
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// One RPCI message as a DataMap: a packet type, a payload and, on one-shot
/// requests, the fast-close flag (PROTOCOL.md §4.3).
public struct RPCPacket: Equatable, Sendable {
    /// Field ids of an RPCI DataMap.
    public enum Field {
        public static let packetType: Int32 = 1
        public static let payload: Int32 = 2
        public static let fastClose: Int32 = 3
    }

    /// The packet type for requests and replies.
    public static let dataType: Int64 = 1

    /// The request or reply bytes; never empty on the wire.
    public var payload: [UInt8]
    /// True when the sender asks the host to close the connection after replying.
    public var fastClose: Bool

    public init(payload: [UInt8], fastClose: Bool = false) {
        self.payload = payload
        self.fastClose = fastClose
    }

    /// Reads an RPCI packet from a decoded DataMap: field 2 must be a STRING,
    /// field 3 (when present) an INT64; other fields are ignored.
    ///
    /// - Throws: `RPCPacketError` when the payload is missing or of the wrong type.
    public init(dataMap: DataMap) throws {
        guard case .string(let payload) = dataMap[Field.payload] else {
            throw RPCPacketError.missingPayload
        }
        self.payload = payload
        switch dataMap[Field.fastClose] {
        case nil: self.fastClose = false
        case .int64(let flag): self.fastClose = flag != 0
        default: throw RPCPacketError.malformedFastClose
        }
    }

    /// Decodes a whole framed packet.
    ///
    /// - Throws: `DataMapError` for a malformed DataMap, `RPCPacketError` for a missing payload.
    public init(decoding packet: [UInt8], maximumLength: Int = PacketFramer.defaultMaximumLength) throws {
        if let common = Self.decodeCommonLayout(packet, maximumLength: maximumLength) {
            self = common
            return
        }
        try self.init(dataMap: DataMap(decoding: packet, maximumLength: maximumLength))
    }

    /// Decodes the layout every sender writes (packet type, payload, optional fast close, in id
    /// order, nothing else) without building a `DataMap`; nil for anything else, which then goes
    /// through the full decoder. A packet this accepts decodes the same through the full decoder.
    static func decodeCommonLayout(_ packet: [UInt8], maximumLength: Int) -> RPCPacket? {
        packet.withUnsafeBytes { RPCPacket(commonLayout: $0, maximumLength: maximumLength) }
    }

    /// Decodes a whole packet in the layout every sender writes, read where it lies; nil for any
    /// other layout (see `decodeCommonLayout`), which `init(decoding:)` then decodes in full.
    ///
    /// - Parameters:
    ///   - packet: a whole packet, length word first.
    ///   - maximumLength: the largest length word accepted.
    public init?(commonLayout packet: UnsafeRawBufferPointer, maximumLength: Int) {
        guard let layout = CommonLayout(packet, maximumLength: maximumLength) else { return nil }
        self.init(payload: Array(layout.payload), fastClose: layout.fastClose)
    }

    /// Where the payload of a packet in the common layout (see `decodeCommonLayout`) lies in `packet`,
    /// without copying it; nil for any other layout.
    ///
    /// - Parameters:
    ///   - packet: a whole packet, length word first.
    ///   - maximumLength: the largest length word accepted.
    /// - Returns: the payload bytes, a part of `packet`.
    public static func commonLayoutPayload(_ packet: UnsafeRawBufferPointer, maximumLength: Int)
        -> UnsafeRawBufferPointer?
    {
        CommonLayout(packet, maximumLength: maximumLength)?.payload
    }

    /// A packet in the common layout, read in place.
    private struct CommonLayout {
        var payload: UnsafeRawBufferPointer
        var fastClose: Bool

        init?(_ bytes: UnsafeRawBufferPointer, maximumLength: Int) {
            var cursor = WordCursor(bytes: bytes)
            guard let length = cursor.readWord(), Int(length) <= maximumLength, Int(length) <= cursor.remaining else {
                return nil
            }
            cursor = WordCursor(bytes: UnsafeRawBufferPointer(rebasing: bytes[4..<(4 + Int(length))]))
            guard cursor.readWord() == 1, cursor.readWord() == UInt32(Field.packetType), cursor.skip(8),
                cursor.readWord() == 2, cursor.readWord() == UInt32(Field.payload),
                let payloadLength = cursor.readWord().map({ Int32(bitPattern: $0) }), payloadLength > 0,
                let payload = cursor.readBytes(Int(payloadLength))
            else { return nil }
            self.payload = payload
            self.fastClose = false
            guard cursor.remaining > 0 else { return }
            guard cursor.readWord() == 1, cursor.readWord() == UInt32(Field.fastClose),
                let low = cursor.readWord(), let high = cursor.readWord(), cursor.remaining == 0
            else { return nil }
            self.fastClose = low != 0 || high != 0
        }
    }

    /// A read cursor over raw bytes for `CommonLayout`: big-endian words, no copy.
    private struct WordCursor {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        var remaining: Int { self.bytes.count - self.offset }

        mutating func readWord() -> UInt32? {
            guard self.remaining >= 4 else { return nil }
            defer { self.offset += 4 }
            return UInt32(bigEndian: self.bytes.loadUnaligned(fromByteOffset: self.offset, as: UInt32.self))
        }

        mutating func skip(_ count: Int) -> Bool {
            guard self.remaining >= count else { return false }
            self.offset += count
            return true
        }

        mutating func readBytes(_ count: Int) -> UnsafeRawBufferPointer? {
            guard self.remaining >= count else { return nil }
            defer { self.offset += count }
            return UnsafeRawBufferPointer(rebasing: self.bytes[self.offset..<(self.offset + count)])
        }
    }

    /// The packet as a DataMap: type 1, the payload, and field 3 only when fast close is set.
    public var dataMap: DataMap {
        var map = DataMap()
        map[Field.packetType] = .int64(RPCPacket.dataType)
        map[Field.payload] = .string(self.payload)
        if self.fastClose {
            map[Field.fastClose] = .int64(1)
        }
        return map
    }

    /// The bytes on the wire: the length word and the DataMap.
    public func encoded() -> [UInt8] {
        // The bytes `dataMap.encoded()` writes, fields in id order, written in place without building the map.
        let trailerLength = self.fastClose ? 16 : 0
        let count = 32 + self.payload.count + trailerLength
        // Written into scratch memory, then copied into the array: the array initialisers that take a count
        // (`repeating:count:`, `unsafeUninitializedCapacity:`) are not specialised here and look up type
        // metadata at run time, which costs more than the copy.
        return withUnsafeTemporaryAllocation(byteCount: count, alignment: 4) { raw in
            var offset = 0
            func write(_ word: UInt32) {
                raw.storeBytes(of: word.bigEndian, toByteOffset: offset, as: UInt32.self)
                offset += 4
            }

            write(UInt32(count - 4))
            Self.writeInt64Field(Field.packetType, RPCPacket.dataType, with: write)
            write(2)
            write(UInt32(bitPattern: Field.payload))
            write(UInt32(self.payload.count))
            self.payload.withUnsafeBytes { payload in
                UnsafeMutableRawBufferPointer(rebasing: raw[offset...]).copyMemory(from: payload)
            }
            offset += self.payload.count
            if self.fastClose {
                Self.writeInt64Field(Field.fastClose, 1, with: write)
            }
            return [UInt8](UnsafeRawBufferPointer(raw))
        }
    }

    /// An INT64 field as DataMap writes it: type 1, the id, then the value's low and high 32 bits.
    private static func writeInt64Field(_ id: Int32, _ value: Int64, with write: (UInt32) -> Void) {
        let bits = UInt64(bitPattern: value)
        write(1)
        write(UInt32(bitPattern: id))
        write(UInt32(truncatingIfNeeded: bits))
        write(UInt32(truncatingIfNeeded: bits >> 32))
    }
}

/// Why a well-formed DataMap is not an RPCI packet.
public enum RPCPacketError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Field 2 is absent or not a STRING.
    case missingPayload
    /// Field 3 is present but not an INT64.
    case malformedFastClose

    public var description: String {
        switch self {
        case .missingPayload: "packet has no STRING payload in field 2"
        case .malformedFastClose: "fast-close field 3 is not an INT64"
        }
    }
}

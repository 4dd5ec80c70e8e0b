// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The `guestlib.info.get` reply formats: the 669-byte V2 image and the V3 header + XDR stream.
///
/// Both the guest (decoding) and host simulators (encoding) use this codec. The
/// encoders write what they are given, so a test can build a reply that breaks a
/// rule on purpose; the decoders apply every rule of PROTOCOL.md §5.3, §5.4 and
/// the recommendations of §12. The codec depends on nothing but the standard
/// library, so fuzz targets can compile it alone.
public enum GuestLibWire {
    /// The exact length of a V2 reply after the `1 ` prefix.
    public static let v2Length = 669
    /// The length of the little-endian V3 header: version, session id, dataSize.
    public static let v3HeaderLength = 16
    /// The size of the V2 resource pool path area; its last byte is forced to NUL on decode.
    public static let v2PathAreaLength = 512
    /// The offset of the first statistic block in the V2 image, after version and session id.
    static let v2FirstBlockOffset = 12

    /// The request text for one negotiation attempt, `guestlib.info.get <version>`, with no NUL.
    ///
    /// - Parameter version: the protocol version, 2 or 3.
    /// - Returns: the request bytes.
    public static func request(version: UInt32) -> [UInt8] {
        switch version {
        case 3: Self.requestV3
        case 2: Self.requestV2
        default: Array("guestlib.info.get \(version)".utf8)
        }
    }

    /// The requests a client sends on every update, built once rather than formatted each time.
    private static let requestV3 = Array("guestlib.info.get 3".utf8)
    private static let requestV2 = Array("guestlib.info.get 2".utf8)

    /// Reads the version and, when present, the session id that start every reply.
    ///
    /// - Parameter payload: the reply after its `1 ` prefix.
    /// - Returns: the little-endian version (nil under 4 bytes) and session id (nil under 12 bytes).
    public static func peekHeader(_ payload: [UInt8]) -> (version: UInt32?, sessionID: UInt64?) {
        let version: UInt32? = payload.count >= 4 ? payload.loadLittleEndian(at: 0) : nil
        let session: UInt64? = payload.count >= 12 ? payload.loadLittleEndian(at: 4) : nil
        return (version, session)
    }

    // MARK: V2

    /// Encodes a V2 reply: the 669-byte little-endian image of PROTOCOL.md §5.3.
    ///
    /// Entries with ids above 18 are ignored, and an id without an entry is written
    /// with valid = 0. Integer values are written in the width of their id (truncated
    /// or widened); the path is cut to 511 bytes so its NUL fits.
    ///
    /// - Parameter snapshot: the session id and entries.
    /// - Returns: the image, without the `1 ` prefix.
    public static func encodeV2(_ snapshot: StatisticsSnapshot) -> [UInt8] {
        var image = [UInt8](repeating: 0, count: v2Length)
        image.storeLittleEndian(UInt32(2), at: 0)
        image.storeLittleEndian(snapshot.sessionID, at: 4)
        for entry in snapshot.entries where entry.id.isInV2 {
            let offset = v2Offset(of: entry.id)
            image[offset] = entry.isValid ? 1 : 0
            switch entry.id.kind {
            case .uint32:
                image.storeLittleEndian(UInt32(truncatingIfNeeded: entry.value.integerValue ?? 0), at: offset + 4)
            case .uint64:
                image.storeLittleEndian(entry.value.integerValue ?? 0, at: offset + 4)
            case .string, .opaque:
                let path = (entry.value.bytesValue ?? []).prefix(v2PathAreaLength - 1)
                image.replaceSubrange(offset + 1..<offset + 1 + path.count, with: path)
            }
        }
        return image
    }

    /// Decodes a V2 reply (PROTOCOL.md §5.3).
    ///
    /// The snapshot holds ids 1 to 18. A valid byte that is not zero means valid.
    /// The path is the text before its first NUL, with the area's last byte forced
    /// to NUL, so it is at most 511 bytes.
    ///
    /// - Parameter payload: the reply after its `1 ` prefix.
    /// - Returns: the snapshot.
    /// - Throws: `GuestLibWireError` when the reply is under 4 bytes, its version is not 2, or it is not exactly
    ///   669 bytes long.
    public static func decodeV2(_ payload: [UInt8]) throws -> StatisticsSnapshot {
        try checkVersion(payload, expected: 2, minimumLength: v2Length)
        guard payload.count == v2Length else {
            throw GuestLibWireError.wrongLength(expected: v2Length, found: payload.count)
        }
        let session: UInt64 = payload.loadLittleEndian(at: 4)
        var entries: [StatisticEntry] = []
        entries.reserveCapacity(Int(StatisticID.highestInV2.rawValue))
        var offset = v2FirstBlockOffset
        for raw in 1...StatisticID.highestInV2.rawValue {
            let id = StatisticID(rawValue: raw)!
            let isValid = payload[offset] != 0
            let value: StatisticValue
            switch id.kind {
            case .uint32:
                value = .uint32(payload.loadLittleEndian(at: offset + 4))
            case .uint64:
                value = .uint64(payload.loadLittleEndian(at: offset + 4))
            case .string, .opaque:
                let area = payload[(offset + 1)..<(offset + v2PathAreaLength)]
                value = .bytes(Array(area.prefix { $0 != 0 }))
            }
            entries.append(StatisticEntry(id: id, isValid: isValid, value: value))
            offset += v2BlockSize(of: id)
        }
        return StatisticsSnapshot(sessionID: session, entries: entries)
    }

    /// The offset of `id`'s block (its valid byte) in the V2 image; `id` must be 1 to 18.
    static func v2Offset(of id: StatisticID) -> Int {
        var offset = v2FirstBlockOffset
        for raw in 1..<id.rawValue {
            offset += v2BlockSize(of: StatisticID(rawValue: raw)!)
        }
        return offset
    }

    static func v2BlockSize(of id: StatisticID) -> Int {
        switch id.kind {
        case .uint32: return 8
        case .uint64: return 12
        case .string, .opaque: return 1 + v2PathAreaLength
        }
    }

    static func checkVersion(_ payload: [UInt8], expected: UInt32, minimumLength: Int) throws {
        guard payload.count >= 4 else {
            throw GuestLibWireError.tooShort(length: payload.count, minimum: minimumLength)
        }
        let version: UInt32 = payload.loadLittleEndian(at: 0)
        guard version == expected else {
            throw GuestLibWireError.versionMismatch(expected: expected, found: version)
        }
    }
}

extension Array where Element == UInt8 {
    /// Reads a little-endian integer at `offset`; the caller has checked the length.
    func loadLittleEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type = T.self) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= self.count, "load outside the buffer")
        return self.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    /// Overwrites `MemoryLayout<T>.size` bytes at `offset` with `value`, little-endian.
    mutating func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= self.count, "store outside the buffer")
        self.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }
}

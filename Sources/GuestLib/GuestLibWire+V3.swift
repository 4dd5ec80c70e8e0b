// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension GuestLibWire {
    /// Encodes a V3 reply: the 16-byte little-endian header, then the XDR stream of PROTOCOL.md §5.4.
    ///
    /// The count is the number of entries, and each entry is written as given: its
    /// id, its valid flag as 0 or 1, then its value in the shape of its case (a
    /// `bytes` value as a length, the bytes and padding, with no maximum enforced).
    /// A host sends the entries in id order from 1 with values matching `id.kind`.
    ///
    /// - Parameter snapshot: the session id and entries.
    /// - Returns: the reply, without the `1 ` prefix.
    public static func encodeV3(_ snapshot: StatisticsSnapshot) -> [UInt8] {
        var xdr = XDRWriter(capacity: 16 + snapshot.entries.count * 16 + 1_100)
        xdr.writeUInt32(UInt32(truncatingIfNeeded: snapshot.entries.count))
        for entry in snapshot.entries {
            xdr.writeUInt32(entry.id.rawValue)
            xdr.writeBool(entry.isValid)
            switch entry.value {
            case .uint32(let value): xdr.writeUInt32(value)
            case .uint64(let value): xdr.writeUInt64(value)
            case .bytes(let bytes): xdr.writeVariableBytes(bytes)
            }
        }
        return v3Header(sessionID: snapshot.sessionID, dataSize: UInt32(truncatingIfNeeded: xdr.bytes.count))
            + xdr.bytes
    }

    /// The 16-byte little-endian V3 header: version 3, `sessionID`, `dataSize`.
    ///
    /// - Parameters:
    ///   - sessionID: the host's session id.
    ///   - dataSize: the number of XDR bytes that follow.
    /// - Returns: the header bytes.
    public static func v3Header(sessionID: UInt64, dataSize: UInt32) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: v3HeaderLength)
        header.storeLittleEndian(UInt32(3), at: 0)
        header.storeLittleEndian(sessionID, at: 4)
        header.storeLittleEndian(dataSize, at: 12)
        return header
    }

    /// Decodes a V3 reply (PROTOCOL.md §5.4 with the §12 recommendations).
    ///
    /// Rules: at least 16 bytes; version 3; `dataSize` no larger than the bytes
    /// after the header; the XDR count readable; entry *i* has id *i + 1*; a Bool
    /// keeps its low 8 bits; the path is a `string<512>`; with a count of 39 or more
    /// only the first 38 entries are read; bytes after the entries and after
    /// `dataSize` are ignored.
    ///
    /// - Parameter payload: the reply after its `1 ` prefix.
    /// - Returns: the snapshot, with as many entries as the host sent (at most 38).
    /// - Throws: `GuestLibWireError` naming the broken rule.
    public static func decodeV3(_ payload: [UInt8]) throws -> StatisticsSnapshot {
        var (session, reader, count) = try self.v3Stream(payload)
        // Not `init(unsafeUninitializedCapacity:)`: that initialiser is not specialised for the element
        // type and looks up the array's type metadata at run time, which costs more than the decoding.
        var entries: [StatisticEntry] = []
        entries.reserveCapacity(count)
        try self.readEntries(&reader, count: count) { _, entry in entries.append(entry) }
        return StatisticsSnapshot(sessionID: session, entries: entries)
    }

    /// Decodes a V3 reply as `decodeV3(_:)` does, writing the entries over those already in `entries`.
    ///
    /// For a program that decodes reply after reply: the array of the last reply is reused, its
    /// entries replaced one by one, so a reply with as many entries as the last allocates nothing
    /// for them (freeing an array of entries goes through the runtime's generic path, which costs
    /// as much as decoding it). `GuestLibHandle.update()` decodes this way.
    ///
    /// - Parameters:
    ///   - payload: the reply after its `1 ` prefix.
    ///   - entries: the entries of the last reply, or any array; on return, those of this one. After a
    ///     throw it is empty.
    /// - Returns: the session id.
    /// - Throws: `GuestLibWireError` naming the broken rule, as `decodeV3(_:)`.
    public static func decodeV3(_ payload: [UInt8], into entries: inout [StatisticEntry]) throws -> UInt64 {
        do {
            var (session, reader, count) = try self.v3Stream(payload)
            entries.reserveCapacity(count)
            try self.readEntries(&reader, count: count) { index, entry in
                if index < entries.count {
                    entries[index] = entry
                } else {
                    entries.append(entry)
                }
            }
            if entries.count > count {
                entries.removeSubrange(count...)
            }
            return session
        } catch {
            entries.removeAll(keepingCapacity: true)
            throw error
        }
    }

    /// Checks a V3 reply's header and count: the session id, a reader at the first entry, and how many
    /// entries to read.
    private static func v3Stream(_ payload: [UInt8]) throws -> (session: UInt64, reader: XDRReader, count: Int) {
        try checkVersion(payload, expected: 3, minimumLength: v3HeaderLength)
        guard payload.count >= v3HeaderLength else {
            throw GuestLibWireError.tooShort(length: payload.count, minimum: v3HeaderLength)
        }
        let session: UInt64 = payload.loadLittleEndian(at: 4)
        let dataSize: UInt32 = payload.loadLittleEndian(at: 12)
        let available = payload.count - v3HeaderLength
        guard UInt64(dataSize) <= UInt64(available) else {
            throw GuestLibWireError.dataSizeExceedsReply(dataSize: dataSize, available: available)
        }
        var reader = XDRReader(payload, range: v3HeaderLength..<(v3HeaderLength + Int(dataSize)))
        let count: UInt32
        do {
            count = try reader.readUInt32()
        } catch let error as XDRError {
            throw GuestLibWireError.malformedXDR(entryIndex: nil, error)
        }
        return (session, reader, Int(min(count, StatisticID.highestKnown.rawValue)))
    }

    /// Reads `count` entries and hands each to `store` with its index.
    @inline(__always)
    private static func readEntries(
        _ reader: inout XDRReader, count: Int, _ store: (Int, StatisticEntry) -> Void
    ) throws {
        var index = 0
        do {
            while index < count {
                store(index, try readEntry(&reader, index: index))
                index += 1
            }
        } catch let error as XDRError {
            throw GuestLibWireError.malformedXDR(entryIndex: index, error)
        }
    }

    @inline(__always)
    private static func readEntry(_ reader: inout XDRReader, index: Int) throws -> StatisticEntry {
        let expected = UInt32(index + 1)
        let raw = try reader.readUInt32()
        guard raw == expected else {
            throw GuestLibWireError.unexpectedID(index: index, expected: expected, found: raw)
        }
        let id = StatisticID.inIDOrder[index]
        let isValid = try reader.readBool()
        let value: StatisticValue
        switch id.kind {
        case .uint32: value = .uint32(try reader.readUInt32())
        case .uint64: value = .uint64(try reader.readUInt64())
        case .string: value = .bytes(try reader.readVariableBytes(maximum: StatisticID.maximumPathLength))
        case .opaque: value = .bytes(try reader.readVariableBytes(maximum: Int(UInt32.max)))
        }
        return StatisticEntry(id: id, isValid: isValid, value: value)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib

/// Snapshots and byte helpers shared by the GuestLib tests.
enum Fixtures {
    /// A full V3 snapshot: every id valid, with a value derived from the id so entries differ.
    static func fullSnapshot(sessionID: UInt64 = 0x1122_3344_5566_7788, path: String = "/host/pool/vm")
        -> StatisticsSnapshot
    {
        let entries = StatisticID.allCases.map { id -> StatisticEntry in
            switch id.kind {
            case .uint32: return StatisticEntry(id: id, isValid: true, value: .uint32(id.rawValue * 100))
            case .uint64: return StatisticEntry(id: id, isValid: true, value: .uint64(UInt64(id.rawValue) << 33 | 7))
            case .string: return StatisticEntry(id: id, isValid: true, value: .bytes(Array(path.utf8)))
            case .opaque: return StatisticEntry(id: id, isValid: true, value: .bytes(Array("long:\(path)".utf8)))
            }
        }
        return StatisticsSnapshot(sessionID: sessionID, entries: entries)
    }

    /// The first `count` entries of `fullSnapshot`, as an older host sends them.
    static func snapshot(count: Int, sessionID: UInt64 = 0x1122_3344_5566_7788) -> StatisticsSnapshot {
        var snapshot = fullSnapshot(sessionID: sessionID)
        snapshot.entries = Array(snapshot.entries.prefix(count))
        return snapshot
    }

    /// Bytes from a hex string that may contain spaces and `|`.
    static func hex(_ text: String) -> [UInt8] {
        let digits = text.filter(\.isHexDigit)
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            bytes.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// A V3 payload whose header says `dataSize` = the length of `xdr`.
    static func v3Payload(sessionID: UInt64 = 1, xdr: [UInt8]) -> [UInt8] {
        GuestLibWire.v3Header(sessionID: sessionID, dataSize: UInt32(xdr.count)) + xdr
    }

    /// The XDR words of a u32 entry.
    static func u32Entry(id: UInt32, valid: UInt32 = 1, value: UInt32) -> [UInt8] {
        be(id) + be(valid) + be(value)
    }

    /// A big-endian u32.
    static func be(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// The XDR of the first `count` entries of `fullSnapshot`, without the count word.
    static func entriesXDR(count: Int) -> [UInt8] {
        Array(GuestLibWire.encodeV3(snapshot(count: count)).dropFirst(GuestLibWire.v3HeaderLength + 4))
    }
}

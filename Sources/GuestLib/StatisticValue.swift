// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The value of one statistic as it travels on the wire.
public enum StatisticValue: Equatable, Sendable {
    /// A 32-bit counter or setting, such as `cpuLimitMHz`.
    case uint32(UInt32)
    /// A 64-bit counter, such as `elapsedMs`.
    case uint64(UInt64)
    /// The bytes of the resource pool path (`string<512>`) or of the long path (`opaque<>`), without padding.
    case bytes([UInt8])

    /// The value widened to 64 bits, or nil for bytes.
    public var integerValue: UInt64? {
        switch self {
        case .uint32(let value): return UInt64(value)
        case .uint64(let value): return value
        case .bytes: return nil
        }
    }

    /// The bytes, or nil for an integer.
    public var bytesValue: [UInt8]? {
        if case .bytes(let bytes) = self { return bytes }
        return nil
    }
}

/// One statistic of a snapshot: its id, whether the host could provide it, and its value.
public struct StatisticEntry: Equatable, Sendable {
    /// Which statistic this is.
    public var id: StatisticID
    /// False when the host knows the statistic but cannot provide it (`valid = 0`); the value is then ignored.
    public var isValid: Bool
    /// The value; its case matches `id.kind` in a well-formed reply.
    public var value: StatisticValue

    /// Creates an entry.
    ///
    /// - Parameters:
    ///   - id: the statistic.
    ///   - isValid: whether the host provides it.
    ///   - value: its value; the encoders write it in the shape of its case.
    public init(id: StatisticID, isValid: Bool, value: StatisticValue) {
        self.id = id
        self.isValid = isValid
        self.value = value
    }

    /// An entry the host cannot provide, carrying the zero value of the id's kind, as a host sends it.
    ///
    /// - Parameter id: the statistic.
    /// - Returns: the entry with `isValid` false.
    public static func unavailable(_ id: StatisticID) -> StatisticEntry {
        StatisticEntry(id: id, isValid: false, value: id.zeroValue)
    }
}

/// The statistics of one `guestlib.info.get` reply: the host's session and every entry in id order.
public struct StatisticsSnapshot: Equatable, Sendable {
    /// The host's session id: it changes on vMotion, resume or snapshot revert; 0 means "no data".
    public var sessionID: UInt64
    /// The entries in id order from 1; as many as the host knows (38 for a current V3 host, 18 for V2).
    public var entries: [StatisticEntry]

    /// Creates a snapshot.
    ///
    /// - Parameters:
    ///   - sessionID: the host's session id.
    ///   - entries: the entries, in id order from 1 for a well-formed reply.
    public init(sessionID: UInt64, entries: [StatisticEntry]) {
        self.sessionID = sessionID
        self.entries = entries
    }

    /// The entry for `id`, or nil when the snapshot has fewer entries than `id`.
    ///
    /// - Parameter id: the statistic.
    /// - Returns: the entry at position `id - 1` when it carries that id.
    public func entry(for id: StatisticID) -> StatisticEntry? {
        let index = Int(id.rawValue) - 1
        guard index < self.entries.count, self.entries[index].id == id else {
            return self.entries.first { $0.id == id }
        }
        return self.entries[index]
    }
}

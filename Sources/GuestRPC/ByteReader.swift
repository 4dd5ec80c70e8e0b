// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A read cursor over a byte array.
///
/// `read…` moves the cursor, `peek…` does not. Every reader returns nil when
/// too few bytes remain, so "need more bytes" never looks like malformed input.
public struct ByteReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// The index of the next byte to read.
    public private(set) var readerIndex: Int
    /// One past the last index this reader may read.
    public let endIndex: Int

    /// Creates a reader over `bytes[range]`, the whole array by default.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        let range = range ?? bytes.startIndex..<bytes.endIndex
        self.bytes = bytes
        self.readerIndex = range.lowerBound
        self.endIndex = range.upperBound
    }

    /// The number of bytes left to read.
    public var readableBytes: Int { self.endIndex - self.readerIndex }

    /// Reads a big-endian or little-endian integer of type `T`.
    public mutating func readInteger<T: FixedWidthInteger>(
        endianness: Endianness = .big, as: T.Type = T.self
    ) -> T? {
        guard let value = self.peekInteger(endianness: endianness, as: T.self) else { return nil }
        self.readerIndex += MemoryLayout<T>.size
        return value
    }

    /// Returns the integer at the cursor without moving it.
    public func peekInteger<T: FixedWidthInteger>(endianness: Endianness = .big, as: T.Type = T.self) -> T? {
        let size = MemoryLayout<T>.size
        guard self.readableBytes >= size else { return nil }
        var value = T.zero
        for offset in 0..<size {
            value = value << 8 | T(truncatingIfNeeded: self.bytes[self.readerIndex + offset])
        }
        return endianness == .big ? value : value.byteSwapped
    }

    /// Reads `count` bytes.
    public mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, self.readableBytes >= count else { return nil }
        let slice = Array(self.bytes[self.readerIndex..<self.readerIndex + count])
        self.readerIndex += count
        return slice
    }

    /// Moves the cursor past `count` bytes; returns false when fewer remain.
    public mutating func skipBytes(_ count: Int) -> Bool {
        guard count >= 0, self.readableBytes >= count else { return false }
        self.readerIndex += count
        return true
    }
}

/// The byte order of an integer on the wire.
public enum Endianness: Sendable {
    case big, little
}

/// A growing byte buffer with `write…` verbs that mirror `ByteReader`.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 64) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    /// Appends `value` in the given byte order.
    public mutating func writeInteger<T: FixedWidthInteger>(_ value: T, endianness: Endianness = .big) {
        let ordered = endianness == .big ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: ordered) { self.bytes.append(contentsOf: $0) }
    }

    /// Appends raw bytes.
    public mutating func writeBytes(_ bytes: some Sequence<UInt8>) {
        self.bytes.append(contentsOf: bytes)
    }

    /// Overwrites four bytes at `index` with `value` in the given byte order.
    public mutating func setInteger(_ value: UInt32, at index: Int, endianness: Endianness = .big) {
        let ordered = endianness == .big ? value.bigEndian : value.littleEndian
        withUnsafeBytes(of: ordered) { raw in
            for offset in 0..<4 { self.bytes[index + offset] = raw[offset] }
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A read cursor over an XDR stream (RFC 4506): every item is big-endian and a multiple of 4 bytes.
///
/// `read…` moves the cursor, `peek…` does not. A stream that ends inside an item
/// throws `XDRError.needMoreBytes`; a length over its maximum throws
/// `XDRError.lengthExceedsMaximum` before anything is allocated.
public struct XDRReader: Sendable {
    /// The bytes being read.
    public let bytes: [UInt8]
    /// The index of the next byte to read.
    public private(set) var offset: Int
    /// One past the last index this reader may read.
    public let endIndex: Int

    /// Creates a reader over `bytes[range]`, the whole array by default.
    ///
    /// - Parameters:
    ///   - bytes: the buffer.
    ///   - range: the part of `bytes` that holds the XDR stream; it must lie within `bytes`.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        let range = range ?? 0..<bytes.count
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "XDR range outside the buffer")
        self.bytes = bytes
        self.offset = range.lowerBound
        self.endIndex = range.upperBound
    }

    /// The number of bytes left to read.
    public var remaining: Int { self.endIndex - self.offset }

    /// Returns the `u32` (or enum discriminant) at the cursor without moving it.
    ///
    /// - Returns: the big-endian value of the next 4 bytes.
    /// - Throws: `XDRError.needMoreBytes` when fewer than 4 bytes remain.
    @inline(__always)
    public func peekUInt32() throws -> UInt32 {
        try self.require(4)
        return self.bytes.withUnsafeBytes {
            UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: self.offset, as: UInt32.self))
        }
    }

    /// Reads a `u32` (or enum discriminant).
    ///
    /// - Returns: the big-endian value of the next 4 bytes.
    /// - Throws: `XDRError.needMoreBytes` when fewer than 4 bytes remain.
    @inline(__always)
    public mutating func readUInt32() throws -> UInt32 {
        let value = try self.peekUInt32()
        self.offset += 4
        return value
    }

    /// Reads a `hyper` (u64): 8 bytes, high word first.
    ///
    /// - Returns: the value.
    /// - Throws: `XDRError.needMoreBytes` when fewer than 8 bytes remain.
    @inline(__always)
    public mutating func readUInt64() throws -> UInt64 {
        try self.require(8)
        let value = self.bytes.withUnsafeBytes {
            UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: self.offset, as: UInt64.self))
        }
        self.offset += 8
        return value
    }

    /// Reads a VMware `Bool`: a 4-byte int of which only the low 8 bits count.
    ///
    /// The C type is a `char` sent through XDR's char routine, so `0x00000100` reads as false,
    /// as the reference decoder does (PROTOCOL.md §5.4).
    ///
    /// - Returns: true when the low 8 bits are not zero.
    /// - Throws: `XDRError.needMoreBytes` when fewer than 4 bytes remain.
    @inline(__always)
    public mutating func readBool() throws -> Bool {
        try self.readUInt32() & 0xFF != 0
    }

    /// Reads a `string<maximum>` or `opaque<maximum>`: a length, the bytes, then padding to 4 bytes.
    ///
    /// The padding bytes must be present; their content is not checked, as libtirpc does not check it.
    ///
    /// - Parameter maximum: the declared maximum length; a longer length is malformed.
    /// - Returns: the bytes without the padding.
    /// - Throws: `XDRError.lengthExceedsMaximum` when the length is over `maximum` (checked first, before any
    ///   allocation), `XDRError.needMoreBytes` when the stream ends inside the bytes or the padding.
    public mutating func readVariableBytes(maximum: Int) throws -> [UInt8] {
        let start = self.offset
        let length = try self.peekUInt32()
        guard UInt64(length) <= UInt64(maximum) else {
            throw XDRError.lengthExceedsMaximum(offset: start, length: length, maximum: maximum)
        }
        let padded = (Int(length) + 3) & ~3
        guard self.remaining - 4 >= padded else {
            throw XDRError.needMoreBytes(offset: start + 4, needed: padded, available: self.remaining - 4)
        }
        let first = start + 4
        let value = Array(self.bytes[first..<first + Int(length)])
        self.offset = first + padded
        return value
    }

    /// Moves the cursor past `count` bytes.
    ///
    /// - Parameter count: how many bytes to skip.
    /// - Throws: `XDRError.needMoreBytes` when fewer remain.
    public mutating func skipBytes(_ count: Int) throws {
        try self.require(count)
        self.offset += count
    }

    @inline(__always)
    private func require(_ count: Int) throws {
        guard self.remaining >= count else {
            throw XDRError.needMoreBytes(offset: self.offset, needed: count, available: self.remaining)
        }
    }
}

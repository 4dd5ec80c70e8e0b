// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A growing XDR stream (RFC 4506) with `write…` verbs that mirror `XDRReader`.
public struct XDRWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty stream.
    ///
    /// - Parameter capacity: how many bytes to reserve.
    public init(capacity: Int = 64) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    /// Appends a `u32` (or enum discriminant), big-endian.
    ///
    /// - Parameter value: the value.
    public mutating func writeUInt32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { self.bytes.append(contentsOf: $0) }
    }

    /// Appends a `hyper` (u64), high word first.
    ///
    /// - Parameter value: the value.
    public mutating func writeUInt64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { self.bytes.append(contentsOf: $0) }
    }

    /// Appends a VMware `Bool` as exactly 0 or 1 in 4 bytes.
    ///
    /// - Parameter value: the value.
    public mutating func writeBool(_ value: Bool) {
        self.writeUInt32(value ? 1 : 0)
    }

    /// Appends a length, the bytes, and zero padding to a multiple of 4, without checking any maximum.
    ///
    /// Host simulators and tests use it to build replies that break a maximum on purpose.
    ///
    /// - Parameter value: the bytes of a `string<>` or `opaque<>`.
    public mutating func writeVariableBytes(_ value: [UInt8]) {
        self.writeUInt32(UInt32(truncatingIfNeeded: value.count))
        self.bytes.append(contentsOf: value)
        let padding = (4 - value.count % 4) % 4
        self.bytes.append(contentsOf: repeatElement(0, count: padding))
    }

    /// Appends a `string<maximum>` or `opaque<maximum>`, refusing a longer value as an XDR encoder does.
    ///
    /// - Parameters:
    ///   - value: the bytes, without a NUL.
    ///   - maximum: the declared maximum length.
    /// - Throws: `XDRError.lengthExceedsMaximum` when `value` is longer than `maximum`; nothing is written then.
    public mutating func writeVariableBytes(_ value: [UInt8], maximum: Int) throws {
        guard value.count <= maximum else {
            throw XDRError.lengthExceedsMaximum(
                offset: self.bytes.count, length: UInt32(truncatingIfNeeded: value.count), maximum: maximum)
        }
        self.writeVariableBytes(value)
    }
}

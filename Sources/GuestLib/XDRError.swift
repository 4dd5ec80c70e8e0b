// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Why an XDR item could not be read or written (RFC 4506).
///
/// "Need more bytes" and "malformed" are different outcomes: the first says the
/// stream ended inside an item, the second that the item can never be valid.
public enum XDRError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The stream ended inside an item: `needed` bytes were wanted at `offset`, `available` remained.
    case needMoreBytes(offset: Int, needed: Int, available: Int)
    /// A string or opaque length is larger than the item's declared maximum.
    case lengthExceedsMaximum(offset: Int, length: UInt32, maximum: Int)
    /// A union discriminant names no arm.
    case unknownDiscriminant(offset: Int, value: UInt32)

    public var description: String {
        switch self {
        case .needMoreBytes(let offset, let needed, let available):
            return "XDR stream ends at offset \(offset): \(needed) bytes needed, \(available) left"
        case .lengthExceedsMaximum(let offset, let length, let maximum):
            return "XDR length \(length) at offset \(offset) exceeds the maximum \(maximum)"
        case .unknownDiscriminant(let offset, let value):
            return "XDR union discriminant \(value) at offset \(offset) names no arm"
        }
    }
}

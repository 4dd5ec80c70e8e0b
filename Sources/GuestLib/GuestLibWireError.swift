// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Why a `guestlib.info.get` reply could not be decoded (PROTOCOL.md §5.3, §5.4, §12).
///
/// Every case makes `update()` fail with `OTHER` and clears the handle's session.
public enum GuestLibWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The reply is shorter than its header: `length` bytes where at least `minimum` are needed.
    case tooShort(length: Int, minimum: Int)
    /// The reply's first u32 is not the version that was requested.
    case versionMismatch(expected: UInt32, found: UInt32)
    /// A V2 reply that is not exactly 669 bytes long.
    case wrongLength(expected: Int, found: Int)
    /// A V3 header whose `dataSize` is larger than the bytes that follow it (§12 #3).
    case dataSizeExceedsReply(dataSize: UInt32, available: Int)
    /// The XDR stream is broken: in the count when `entryIndex` is nil (§12 #1), else in that entry (§12 #2).
    case malformedXDR(entryIndex: Int?, XDRError)
    /// Entry `index` (0-based) carries id `found` where `index + 1` was required (§5.4 ordering rules).
    case unexpectedID(index: Int, expected: UInt32, found: UInt32)

    public var description: String {
        switch self {
        case .tooShort(let length, let minimum):
            return "reply of \(length) bytes is shorter than the \(minimum)-byte minimum"
        case .versionMismatch(let expected, let found):
            return "reply carries version \(found) where \(expected) was requested"
        case .wrongLength(let expected, let found):
            return "V2 reply of \(found) bytes where exactly \(expected) are required"
        case .dataSizeExceedsReply(let dataSize, let available):
            return "V3 dataSize \(dataSize) exceeds the \(available) bytes after the header"
        case .malformedXDR(nil, let error):
            return "V3 statistics count unreadable: \(error)"
        case .malformedXDR(let index?, let error):
            return "V3 entry \(index) unreadable: \(error)"
        case .unexpectedID(let index, let expected, let found):
            return "V3 entry \(index) has id \(found) where \(expected) was required"
        }
    }
}

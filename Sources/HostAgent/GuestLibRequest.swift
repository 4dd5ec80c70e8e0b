// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// This file uses the standard library only, so the fuzz target
// fuzz/guestlib-host-request can compile it on its own.

/// The status the host returns for the atomic-update-cookie ioctl (`GuestLibAtomicUpdateStatus`, §6.2).
public enum GuestLibAtomicUpdateStatus: UInt32, Sendable, CaseIterable {
    /// The cookie matched and was replaced.
    case okSuccess = 0
    /// The cookie did not match; nothing changed.
    case okFail = 1
    /// The request could not be decoded, or a cookie is longer than 256 bytes.
    case badParameter = 2
    /// The host cannot update cookies now.
    case unavailable = 3
    /// Any other failure.
    case unknown = 4
}

/// One guestlib request as the host parses it (PROTOCOL.md §5.1, §6.1, §6.2).
public enum GuestLibRequest: Equatable, Sendable {
    /// `guestlib.info.get <v>`; `version` is nil when the argument is not a decimal number.
    case infoGet(version: UInt32?)
    /// `guestlib.stat.get <encoding> <stat...>`: the encoding and the stat name (words joined by one space).
    case statGet(encoding: String, statName: String)
    /// `guestlib.ioctl ` + an XDR `GuestLibIoctlParam`: a well-formed atomic-update-cookie request.
    case atomicUpdateCookie(source: String, destination: String)
    /// `guestlib.ioctl ` with an ioctl id other than 1.
    case unknownIoctl(id: UInt32)
    /// `guestlib.ioctl ` whose argument does not decode; `reason` says why.
    case malformedIoctl(reason: String)
    /// Any other command.
    case unknownCommand

    /// The command of `guestlib.info.get` requests.
    public static let infoGetCommand = "guestlib.info.get"
    /// The command of `guestlib.stat.get` requests.
    public static let statGetCommand = "guestlib.stat.get"
    /// The command of `guestlib.ioctl` requests.
    public static let ioctlCommand = "guestlib.ioctl"
    /// The longest cookie the ioctl carries (`string<256>`).
    public static let maximumCookieLength = 256
    /// The command names as bytes, compared without walking a `String.UTF8View` per request.
    private static let infoGetCommandBytes = Array(infoGetCommand.utf8)
    private static let statGetCommandBytes = Array(statGetCommand.utf8)
    private static let ioctlCommandBytes = Array(ioctlCommand.utf8)

    /// Parses request bytes exactly as they arrived.
    ///
    /// The command is the text before the first space. `guestlib.stat.get`'s arguments are split on
    /// spaces with empty fields tolerated: the first field is the encoding, the remaining non-empty fields
    /// form the stat name, so `guestlib.stat.get` followed by three spaces asks for the list of stats in the
    /// default encoding. A trailing space after `guestlib.info.get 3` is accepted (old clients add one).
    ///
    /// - Parameter bytes: the request as received, without framing.
    public init(parsing bytes: [UInt8]) {
        let space = UInt8(ascii: " ")
        let commandEnd = bytes.firstIndex(of: space) ?? bytes.endIndex
        let command = bytes[..<commandEnd]
        let arguments = commandEnd < bytes.endIndex ? bytes[(commandEnd + 1)...] : []

        if Self.isCommand(command, Self.infoGetCommandBytes) {
            self = .infoGet(version: Self.parseVersion(arguments))
        } else if Self.isCommand(command, Self.statGetCommandBytes) {
            let fields = arguments.split(separator: space, omittingEmptySubsequences: false)
            let encoding = fields.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
            let words = fields.dropFirst().filter { !$0.isEmpty }.map { String(decoding: $0, as: UTF8.self) }
            self = .statGet(encoding: encoding, statName: words.joined(separator: " "))
        } else if Self.isCommand(command, Self.ioctlCommandBytes) {
            self = Self.parseIoctl(Array(arguments))
        } else {
            self = .unknownCommand
        }
    }

    /// True when `command` is exactly `expected`, compared byte by byte in a plain loop: `elementsEqual`
    /// walks both through generic iterators, which cost more than the rest of the parse.
    private static func isCommand(_ command: ArraySlice<UInt8>, _ expected: [UInt8]) -> Bool {
        guard command.count == expected.count else { return false }
        return command.withUnsafeBufferPointer { received in
            expected.withUnsafeBufferPointer { expected in
                for index in 0..<expected.count where received[index] != expected[index] {
                    return false
                }
                return true
            }
        }
    }

    private static func parseVersion(_ argument: ArraySlice<UInt8>) -> UInt32? {
        var digits = argument
        if digits.last == UInt8(ascii: " ") {
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.count <= 10 else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }

    private static func parseIoctl(_ bytes: [UInt8]) -> GuestLibRequest {
        var cursor = XDRCursor(bytes: bytes)
        guard let id = cursor.readUInt32() else { return .malformedIoctl(reason: "no ioctl id") }
        guard id == 1 else { return .unknownIoctl(id: id) }
        guard let source = cursor.readString(maximumLength: Self.maximumCookieLength) else {
            return .malformedIoctl(reason: "source cookie missing, truncated or over 256 bytes")
        }
        guard let destination = cursor.readString(maximumLength: Self.maximumCookieLength) else {
            return .malformedIoctl(reason: "destination cookie missing, truncated or over 256 bytes")
        }
        return .atomicUpdateCookie(source: source, destination: destination)
    }
}

/// A minimal XDR reader for the ioctl argument: big-endian u32 and padded strings.
private struct XDRCursor {
    let bytes: [UInt8]
    var index = 0

    mutating func readUInt32() -> UInt32? {
        guard self.bytes.count - self.index >= 4 else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            value = value << 8 | UInt32(self.bytes[self.index + offset])
        }
        self.index += 4
        return value
    }

    mutating func readString(maximumLength: Int) -> String? {
        guard let length = self.readUInt32(), length <= UInt32(maximumLength) else { return nil }
        let padded = (Int(length) + 3) & ~3
        guard self.bytes.count - self.index >= padded else { return nil }
        let text = String(decoding: self.bytes[self.index..<self.index + Int(length)], as: UTF8.self)
        self.index += padded
        return text
    }
}

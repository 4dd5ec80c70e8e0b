// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension GuestLibWire {
    /// The longest `guestlib.stat.get` request the SDK sends, in bytes (PROTOCOL.md §6.1).
    public static let maximumStatGetRequestLength = 255

    /// The ioctl id of the atomic update cookie in the `GuestLibIoctlParam` union (PROTOCOL.md §6.2).
    public static let atomicUpdateCookieIoctlID: UInt32 = 1

    /// The maximum length of each cookie string, `string<256>`.
    public static let maximumCookieLength = 256

    /// The request for extended stats: `guestlib.stat.get <encoding> <stat>`, verbatim, with no NUL.
    ///
    /// - Parameters:
    ///   - encoding: `json`, `text`, `xml` or `yaml`, passed through unchecked.
    ///   - stat: the stat name, possibly two words or empty (the list of stats).
    /// - Returns: the request bytes, or nil when they would exceed 255 bytes.
    public static func statGetRequest(encoding: [UInt8], stat: [UInt8]) -> [UInt8]? {
        let request = Array("guestlib.stat.get ".utf8) + encoding + [UInt8(ascii: " ")] + stat
        return request.count <= maximumStatGetRequestLength ? request : nil
    }

    /// The request `guestlib.ioctl ` followed by the XDR of the atomic-update-cookie union arm.
    ///
    /// - Parameters:
    ///   - source: the source cookie, at most 256 bytes, without a NUL.
    ///   - destination: the destination cookie, at most 256 bytes, without a NUL.
    /// - Returns: the request bytes.
    /// - Throws: `XDRError.lengthExceedsMaximum` when a cookie is longer than 256 bytes.
    public static func atomicUpdateCookieRequest(source: [UInt8], destination: [UInt8]) throws -> [UInt8] {
        var xdr = XDRWriter(capacity: 16 + source.count + destination.count)
        xdr.writeUInt32(atomicUpdateCookieIoctlID)
        try xdr.writeVariableBytes(source, maximum: maximumCookieLength)
        try xdr.writeVariableBytes(destination, maximum: maximumCookieLength)
        return Array("guestlib.ioctl ".utf8) + xdr.bytes
    }
}

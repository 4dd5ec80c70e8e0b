// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// Fuzz target "guestlib-host-request": the host's parser of guestlib requests
// (GuestLibRequest, Sources/HostAgent/GuestLibRequest.swift) fed arbitrary bytes.
// Besides not crashing, it checks that parsing is a function of the bytes alone
// and that every parsed request, written back in its canonical form, parses to
// the same request: `guestlib.info.get <v>`, `guestlib.stat.get <enc> <stat>` and
// `guestlib.ioctl ` + the XDR union.

/// The libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGuestLibHostRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let request = GuestLibRequest(parsing: bytes)
    precondition(GuestLibRequest(parsing: bytes) == request, "parsing the same bytes twice differs")
    if let canonical = canonicalBytes(of: request) {
        precondition(GuestLibRequest(parsing: canonical) == request, "canonical form parses differently")
    }
    // The parser must also cope with the bytes behind each guestlib command.
    for command in ["guestlib.info.get ", "guestlib.stat.get ", "guestlib.ioctl "] {
        _ = GuestLibRequest(parsing: Array(command.utf8) + bytes)
    }
    return 0
}

/// The request written the way a guest would send it; nil where no such form exists.
private func canonicalBytes(of request: GuestLibRequest) -> [UInt8]? {
    switch request {
    case .infoGet(let version?):
        return Array("guestlib.info.get \(version)".utf8)
    case .statGet(let encoding, let statName):
        return Array("guestlib.stat.get \(encoding) \(statName)".utf8)
    case .atomicUpdateCookie(let source, let destination):
        let limit = GuestLibRequest.maximumCookieLength
        guard source.utf8.count <= limit, destination.utf8.count <= limit else { return nil }
        var bytes = Array("guestlib.ioctl ".utf8) + [0, 0, 0, 1]
        for text in [source, destination] {
            let count = text.utf8.count
            bytes += [
                UInt8(count >> 24 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count & 0xFF),
            ]
            bytes += Array(text.utf8) + Array(repeating: 0, count: (4 - count % 4) % 4)
        }
        return bytes
    case .unknownIoctl(let id):
        let idBytes = [UInt8(id >> 24 & 0xFF), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)]
        return Array("guestlib.ioctl ".utf8) + idBytes
    case .infoGet(nil), .malformedIoctl, .unknownCommand:
        return nil
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// Fuzz target "guestlib-v3": the V3 `guestlib.info.get` reply decoder (16-byte
// header + XDR). Compiled into one module with the GuestLib codec sources. Besides
// not crashing, it checks that an accepted reply has version 3 and a dataSize
// within the reply, at most 38 entries with ids 1, 2, 3, ..., values of the kind
// their id selects and a path of at most 512 bytes, and that its snapshot survives
// encode and decode.

/// The libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGuestLibV3(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    guard let snapshot = try? GuestLibWire.decodeV3(bytes) else { return 0 }
    precondition(bytes.count >= GuestLibWire.v3HeaderLength, "accepted a V3 reply under 16 bytes")
    precondition(GuestLibWire.peekHeader(bytes).version == 3, "accepted a V3 reply with another version")
    precondition(snapshot.entries.count <= 38, "more than 38 entries")
    for (index, entry) in snapshot.entries.enumerated() {
        precondition(entry.id.rawValue == UInt32(index + 1), "entry \(index) has id \(entry.id.rawValue)")
        switch (entry.id.kind, entry.value) {
        case (.uint32, .uint32), (.uint64, .uint64), (.opaque, .bytes): break
        case (.string, .bytes(let path)): precondition(path.count <= 512, "a path of \(path.count) bytes")
        default: preconditionFailure("entry \(index) holds a value of the wrong kind")
        }
    }
    let encoded = GuestLibWire.encodeV3(snapshot)
    precondition(encoded.count <= bytes.count, "re-encoding grew the reply")
    let again = try? GuestLibWire.decodeV3(encoded)
    precondition(again == snapshot, "a decoded V3 snapshot does not survive encode and decode")
    return 0
}

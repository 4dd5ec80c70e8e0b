// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// Fuzz target "guestlib-v2": the 669-byte V2 `guestlib.info.get` reply decoder.
// Compiled into one module with the GuestLib codec sources. Besides not crashing,
// it checks that an accepted reply is exactly 669 bytes with version 2, holds ids
// 1 to 18 in order with a path of at most 511 bytes and no NUL, and that its
// snapshot survives encode and decode.

/// The libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGuestLibV2(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    guard let snapshot = try? GuestLibWire.decodeV2(bytes) else { return 0 }
    precondition(bytes.count == GuestLibWire.v2Length, "accepted a V2 reply of \(bytes.count) bytes")
    precondition(GuestLibWire.peekHeader(bytes).version == 2, "accepted a V2 reply with another version")
    precondition(snapshot.entries.map(\.id.rawValue) == Array(1...18), "V2 ids are not 1 to 18")
    guard case .bytes(let path) = snapshot.entries[17].value else { preconditionFailure("the path is not bytes") }
    precondition(path.count <= 511 && !path.contains(0), "the V2 path is longer than 511 bytes or holds a NUL")
    let again = try? GuestLibWire.decodeV2(GuestLibWire.encodeV2(snapshot))
    precondition(again == snapshot, "a decoded V2 snapshot does not survive encode and decode")
    return 0
}

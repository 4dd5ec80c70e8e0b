// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// Fuzz target "guestlib-v3": the V3 `guestlib.info.get` reply decoder (16-byte
// header + XDR). Compiled into one module with the GuestLib codec sources. Besides
// not crashing, it checks that an accepted reply has version 3 and a dataSize
// within the reply, at most 38 entries with ids 1, 2, 3, ..., values of the kind
// their id selects and a path of at most 512 bytes, and that its snapshot survives
// encode and decode. Every input is also decoded into the entries the last input
// left, as a handle decodes each update into the last one's: the session, entries
// and error must be those of the snapshot decoder, and a throw must leave no entry.

/// The entries the last input decoded into, reused as a handle reuses its last update's.
private var reusedEntries: [StatisticEntry] = []

/// The libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGuestLibV3(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    checkDecodingIntoTheLastEntries(bytes)
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

/// Decodes `bytes` into `reusedEntries` and with the snapshot decoder; both must agree.
private func checkDecodingIntoTheLastEntries(_ bytes: [UInt8]) {
    let fresh = Result { try GuestLibWire.decodeV3(bytes) }
    let session = Result { try GuestLibWire.decodeV3(bytes, into: &reusedEntries) }
    switch (fresh, session) {
    case (.success(let snapshot), .success(let sessionID)):
        precondition(sessionID == snapshot.sessionID, "decoding into the last entries gave another session")
        precondition(reusedEntries == snapshot.entries, "decoding into the last entries gave other entries")
    case (.failure(let expected), .failure(let error)):
        precondition(
            error as? GuestLibWireError == expected as? GuestLibWireError,
            "decoding into the last entries threw \(error), not \(expected)")
        precondition(reusedEntries.isEmpty, "a failed decode left entries behind")
    default:
        preconditionFailure("one decoder accepted the reply and the other did not")
    }
}

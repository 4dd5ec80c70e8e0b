// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// Fuzz target "packet": the DataMap decoder, RPCPacket, RPCReply and the PacketFramer
// fed in random chunks. Compiled into one module with Sources/GuestRPC, so it sees
// internal names. Besides not crashing, it checks four properties:
// RPCPacket's direct codec agrees with the DataMap path byte for byte;
// a decoded map re-encodes to a map that decodes equal; the framer yields the same
// packets (or the same error) whatever the chunking; every framed packet decodes
// as a whole packet would.

/// The libFuzzer entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPacket(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    checkDecoding(bytes)
    checkFraming(bytes)
    _ = RPCReply(wireBytes: bytes)
    return 0
}

private func checkDecoding(_ bytes: [UInt8]) {
    let direct = try? RPCPacket(decoding: bytes)
    let throughMap = try? RPCPacket(dataMap: DataMap(decoding: bytes))
    precondition(direct == throughMap, "RPCPacket's direct decoding disagrees with the DataMap decoder")
    if let direct {
        precondition(
            direct.encoded() == direct.dataMap.encoded(), "RPCPacket's direct encoding disagrees with DataMap's")
    }
    guard let map = try? DataMap(decoding: bytes) else { return }
    let again = try? DataMap(decoding: map.encoded())
    precondition(again == map, "a decoded DataMap does not survive encode and decode")
    if let packet = try? RPCPacket(dataMap: map) {
        precondition(try! RPCPacket(decoding: packet.encoded()) == packet, "RPCPacket round trip")
        _ = RPCReply(wireBytes: packet.payload)
    }
}

/// The packets a framer yields for `bytes` cut at `cuts`, and the error that stopped it, if any.
private func frame(_ bytes: [UInt8], cuts: [Int], maximumLength: Int) -> ([[UInt8]], DataMapError?) {
    var framer = PacketFramer(maximumLength: maximumLength)
    var packets: [[UInt8]] = []
    var start = 0
    for end in cuts + [bytes.count] where end >= start {
        framer.append(bytes[start..<end])
        start = end
        do {
            while let packet = try framer.nextPacket() {
                packets.append(packet)
            }
        } catch let error as DataMapError {
            return (packets, error)
        } catch {
            preconditionFailure("the framer threw \(error)")
        }
    }
    return (packets, nil)
}

private func checkFraming(_ bytes: [UInt8]) {
    // The first byte seeds the chunking and picks the maximum length.
    var seed = UInt32(bytes.first ?? 0) &* 2_654_435_761 | 1
    var cuts: [Int] = []
    var position = 0
    while position < bytes.count {
        seed = seed &* 1_103_515_245 &+ 12345
        position += Int(seed >> 16) % 9
        cuts.append(min(position, bytes.count))
    }
    let maximumLength = (bytes.first ?? 0) & 1 == 0 ? PacketFramer.defaultMaximumLength : 64

    let whole = frame(bytes, cuts: [], maximumLength: maximumLength)
    let chunked = frame(bytes, cuts: cuts, maximumLength: maximumLength)
    precondition(whole.0 == chunked.0 && whole.1 == chunked.1, "chunking changed what the framer yields")
    if bytes.count <= 512 {
        // Byte by byte costs one call per byte; short inputs cover it and keep the run fast.
        let byteAtATime = frame(bytes, cuts: Array(0..<bytes.count), maximumLength: maximumLength)
        precondition(whole.0 == byteAtATime.0 && whole.1 == byteAtATime.1, "byte-at-a-time framing differs")
    }

    for packet in whole.0 {
        let framed = try? DataMap(decoding: packet, maximumLength: maximumLength)
        let direct = try? DataMap(decoding: packet + [0xAA], maximumLength: maximumLength)
        precondition(framed == direct, "trailing bytes changed a framed packet's decoding")
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A vsock socket address in the Linux `sockaddr_vm` layout (PROTOCOL.md §4.1).
///
/// Sixteen bytes in host byte order: family (2), reserved (2), port (4), CID (4),
/// then four zero bytes.
struct VSockAddress: Equatable, Sendable, CustomStringConvertible {
    /// The vsock address family on Linux.
    static let linuxAddressFamily: Int32 = 40
    /// The CID or port meaning "any" (`VMADDR_CID_ANY`, `VMADDR_PORT_ANY`).
    static let any: UInt32 = 0xFFFF_FFFF
    /// The size of `sockaddr_vm`.
    static let size = 16

    var family: UInt16
    var port: UInt32
    var cid: UInt32

    /// The byte order of this machine, which `sockaddr_vm` uses.
    static let hostEndianness: Endianness = UInt16(1).littleEndian == 1 ? .little : .big

    /// The sixteen bytes handed to `bind` and `connect`.
    var bytes: [UInt8] {
        let order = VSockAddress.hostEndianness
        var writer = ByteWriter(capacity: VSockAddress.size)
        writer.writeInteger(self.family, endianness: order)
        writer.writeInteger(UInt16(0), endianness: order)
        writer.writeInteger(self.port, endianness: order)
        writer.writeInteger(self.cid, endianness: order)
        writer.writeInteger(UInt32(0), endianness: order)
        return writer.bytes
    }

    var description: String { "\(self.cid):\(self.port)" }
}

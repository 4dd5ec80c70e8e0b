// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC

// FIXME: a host-side copy of the V2/V3 encoders, kept until GuestLib's codec
// (encodeV2/encodeV3) is merged; then these become calls to it.
extension VMStatisticsSample {
    /// The `guestlib.info.get 3` reply data: the 16-byte little-endian header, then the XDR list.
    public func encodedV3() -> [UInt8] {
        var xdr = ByteWriter(capacity: 640)
        let statistics = self.statistics()
        xdr.writeInteger(UInt32(statistics.count))
        for statistic in statistics {
            xdr.writeInteger(statistic.id)
            xdr.writeInteger(UInt32(statistic.isValid ? 1 : 0))
            switch statistic.value {
            case .uint32(let value): xdr.writeInteger(value)
            case .uint64(let value): xdr.writeInteger(value)
            case .bytes(let bytes):
                xdr.writeInteger(UInt32(bytes.count))
                xdr.writeBytes(bytes)
                xdr.writeBytes(repeatElement(0, count: (4 - bytes.count % 4) % 4))
            }
        }
        var reply = ByteWriter(capacity: 16 + xdr.bytes.count)
        reply.writeInteger(UInt32(3), endianness: .little)
        reply.writeInteger(self.sessionID, endianness: .little)
        reply.writeInteger(UInt32(xdr.bytes.count), endianness: .little)
        reply.writeBytes(xdr.bytes)
        return reply.bytes
    }

    /// The `guestlib.info.get 2` reply data: the 669-byte little-endian image of PROTOCOL.md §5.3.
    public func encodedV2() -> [UInt8] {
        let statistics = self.statistics()
        var image = ByteWriter(capacity: 669)
        image.writeInteger(UInt32(2), endianness: .little)
        image.writeInteger(self.sessionID, endianness: .little)
        for statistic in statistics.prefix(17) {
            image.writeBytes([statistic.isValid ? 1 : 0, 0, 0, 0])
            switch statistic.value {
            case .uint32(let value): image.writeInteger(value, endianness: .little)
            case .uint64(let value): image.writeInteger(value, endianness: .little)
            case .bytes: break
            }
        }
        let path = Array(self.values.resourcePoolPath.utf8.prefix(511))
        let pathValid = statistics.count >= 18 ? statistics[17].isValid : false
        image.writeBytes([pathValid ? 1 : 0])
        image.writeBytes(path)
        image.writeBytes(repeatElement(0, count: 512 - path.count))
        return image.bytes
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The typed field map that every vsock and Unix-socket packet carries (PROTOCOL.md §4.3).
///
/// On the wire a DataMap is a 4-byte big-endian length N followed by N bytes of
/// entries: type (i32 BE), field id (i32 BE), then the value. Fields are
/// encoded in ascending id order, as the reference does for ids 1–3.
public struct DataMap: Equatable, Sendable {
    /// One field's value.
    public enum Value: Equatable, Sendable {
        /// A 64-bit integer, sent as its low 32 bits then its high 32 bits, each big-endian.
        case int64(Int64)
        /// A byte string of at least one byte.
        case string([UInt8])
        /// A list of 64-bit integers.
        case int64List([Int64])
        /// A list of byte strings.
        case stringList([[UInt8]])

        /// The type tag written before the field id.
        public var typeTag: Int32 {
            switch self {
            case .int64: 1
            case .string: 2
            case .int64List: 3
            case .stringList: 4
            }
        }
    }

    /// The fields by id.
    public private(set) var fields: [Int32: Value]

    public init(fields: [Int32: Value] = [:]) {
        self.fields = fields
    }

    public subscript(id: Int32) -> Value? {
        get { self.fields[id] }
        set { self.fields[id] = newValue }
    }

    /// The whole packet: the length word, then every field in ascending id order.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.writeInteger(UInt32(0))
        for id in self.fields.keys.sorted() {
            let value = self.fields[id]!
            writer.writeInteger(value.typeTag)
            writer.writeInteger(id)
            DataMap.write(value, to: &writer)
        }
        writer.setInteger(UInt32(writer.bytes.count - 4), at: 0)
        return writer.bytes
    }

    /// Decodes a whole packet, length word included, applying the reference decoder's rules.
    ///
    /// - Parameters:
    ///   - packet: the 4-byte length and the bytes it announces; trailing bytes are ignored.
    ///   - maximumLength: the largest N accepted, checked before anything is allocated.
    /// - Throws: `DataMapError` naming the first rule the packet breaks.
    public init(decoding packet: [UInt8], maximumLength: Int = PacketFramer.defaultMaximumLength) throws {
        var reader = ByteReader(packet)
        guard let length = reader.readInteger(as: UInt32.self) else {
            throw DataMapError.truncated(detail: "fewer than 4 bytes for the length word")
        }
        guard Int(length) <= maximumLength else {
            throw DataMapError.tooLong(length: Int(length), maximum: maximumLength)
        }
        guard Int(length) <= reader.readableBytes else {
            throw DataMapError.truncated(detail: "length \(length) but only \(reader.readableBytes) bytes follow")
        }
        var body = ByteReader(packet, range: 4..<(4 + Int(length)))
        self.fields = [:]
        while body.readableBytes > 0 {
            try self.decodeField(from: &body)
        }
    }

    private mutating func decodeField(from reader: inout ByteReader) throws {
        guard let type = reader.readInteger(as: Int32.self), let id = reader.readInteger(as: Int32.self) else {
            throw DataMapError.truncated(detail: "a field header needs 8 bytes")
        }
        guard self.fields[id] == nil else { throw DataMapError.duplicateField(id: id) }
        switch type {
        case 1:
            self.fields[id] = .int64(try DataMap.readInt64(from: &reader))
        case 2:
            self.fields[id] = .string(try DataMap.readString(from: &reader, field: id))
        case 3:
            self.fields[id] = .int64List(try DataMap.readInt64List(from: &reader, field: id))
        case 4:
            self.fields[id] = .stringList(try DataMap.readStringList(from: &reader, field: id))
        default:
            throw DataMapError.unknownType(type, field: id)
        }
    }

    static func readInt64(from reader: inout ByteReader) throws -> Int64 {
        guard let low = reader.readInteger(as: UInt32.self), let high = reader.readInteger(as: UInt32.self) else {
            throw DataMapError.truncated(detail: "an INT64 needs 8 bytes")
        }
        return Int64(bitPattern: UInt64(high) << 32 | UInt64(low))
    }

    private static func readString(from reader: inout ByteReader, field: Int32) throws -> [UInt8] {
        guard let length = reader.readInteger(as: Int32.self) else {
            throw DataMapError.truncated(detail: "a STRING length needs 4 bytes")
        }
        guard length > 0 else { throw DataMapError.invalidStringLength(length, field: field) }
        guard let bytes = reader.readBytes(Int(length)) else {
            throw DataMapError.truncated(detail: "STRING field \(field) announces \(length) bytes")
        }
        return bytes
    }

    private static func readInt64List(from reader: inout ByteReader, field: Int32) throws -> [Int64] {
        guard let count = reader.readInteger(as: Int32.self) else {
            throw DataMapError.truncated(detail: "an INT64LIST count needs 4 bytes")
        }
        guard count >= 0, Int(count) <= reader.readableBytes / 8 else {
            throw DataMapError.invalidCount(count, field: field)
        }
        return try (0..<Int(count)).map { _ in try readInt64(from: &reader) }
    }

    private static func readStringList(from reader: inout ByteReader, field: Int32) throws -> [[UInt8]] {
        guard let count = reader.readInteger(as: Int32.self) else {
            throw DataMapError.truncated(detail: "a STRINGLIST count needs 4 bytes")
        }
        guard count >= 0, Int(count) <= reader.readableBytes / 4 else {
            throw DataMapError.invalidCount(count, field: field)
        }
        return try (0..<Int(count)).map { _ in try readString(from: &reader, field: field) }
    }

    private static func write(_ value: Value, to writer: inout ByteWriter) {
        switch value {
        case .int64(let number):
            writeInt64(number, to: &writer)
        case .string(let bytes):
            writer.writeInteger(Int32(bytes.count))
            writer.writeBytes(bytes)
        case .int64List(let numbers):
            writer.writeInteger(Int32(numbers.count))
            numbers.forEach { writeInt64($0, to: &writer) }
        case .stringList(let strings):
            writer.writeInteger(Int32(strings.count))
            for bytes in strings {
                writer.writeInteger(Int32(bytes.count))
                writer.writeBytes(bytes)
            }
        }
    }

    /// Low 32 bits first, then high 32 bits, each big-endian: not a plain big-endian 64-bit value.
    static func writeInt64(_ number: Int64, to writer: inout ByteWriter) {
        let bits = UInt64(bitPattern: number)
        writer.writeInteger(UInt32(truncatingIfNeeded: bits))
        writer.writeInteger(UInt32(truncatingIfNeeded: bits >> 32))
    }
}

/// Why a DataMap packet was rejected.
public enum DataMapError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The packet ends before a length, header or value it announces.
    case truncated(detail: String)
    /// The length word exceeds the configured maximum.
    case tooLong(length: Int, maximum: Int)
    /// A type tag outside 1–4.
    case unknownType(Int32, field: Int32)
    /// The same field id appears twice.
    case duplicateField(id: Int32)
    /// A STRING of length 0 or less; the reference rejects empty strings.
    case invalidStringLength(Int32, field: Int32)
    /// A list count that is negative or larger than the remaining bytes allow.
    case invalidCount(Int32, field: Int32)

    public var description: String {
        switch self {
        case .truncated(let detail): "truncated packet: \(detail)"
        case .tooLong(let length, let maximum): "packet length \(length) exceeds the maximum of \(maximum) bytes"
        case .unknownType(let type, let field): "unknown type \(type) for field \(field)"
        case .duplicateField(let id): "field \(id) appears twice"
        case .invalidStringLength(let length, let field): "STRING field \(field) has invalid length \(length)"
        case .invalidCount(let count, let field): "list field \(field) has invalid count \(count)"
        }
    }
}

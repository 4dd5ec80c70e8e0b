// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib
import Testing

@Suite struct XDRCodecTests {
    @Test func peekDoesNotMoveTheCursorAndReadDoes() throws {
        var reader = XDRReader([0, 0, 0, 7, 0, 0, 0, 9])
        #expect(try reader.peekUInt32() == 7)
        #expect(reader.offset == 0)
        #expect(try reader.readUInt32() == 7)
        #expect(try reader.readUInt32() == 9)
        #expect(reader.remaining == 0)
    }

    @Test func needMoreBytesAndMalformedAreDistinct() {
        var short = XDRReader([0, 0, 0, 9, 0x61])
        #expect(throws: XDRError.needMoreBytes(offset: 4, needed: 12, available: 1)) {
            try short.readVariableBytes(maximum: 16)
        }
        var long = XDRReader([0, 0, 0, 9, 0x61])
        #expect(throws: XDRError.lengthExceedsMaximum(offset: 0, length: 9, maximum: 8)) {
            try long.readVariableBytes(maximum: 8)
        }
    }

    @Test func aHugeLengthIsRejectedBeforeAllocating() {
        var reader = XDRReader([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: XDRError.needMoreBytes(offset: 4, needed: 0x1_0000_0000, available: 0)) {
            try reader.readVariableBytes(maximum: Int(UInt32.max))
        }
    }

    @Test func writesPaddedStringsAndRefusesOverlongOnes() throws {
        var writer = XDRWriter()
        try writer.writeVariableBytes(Array("ab".utf8), maximum: 256)
        #expect(writer.bytes == [0, 0, 0, 2, 0x61, 0x62, 0, 0])
        #expect(throws: XDRError.lengthExceedsMaximum(offset: 8, length: 257, maximum: 256)) {
            try writer.writeVariableBytes([UInt8](repeating: 0x61, count: 257), maximum: 256)
        }
        #expect(writer.bytes.count == 8)
    }

    @Test func writesHypersHighWordFirstAndBoolsAsZeroOrOne() {
        var writer = XDRWriter()
        writer.writeUInt64(0x0102_0304_0506_0708)
        writer.writeBool(true)
        writer.writeBool(false)
        #expect(writer.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 1, 0, 0, 0, 0])
    }
}

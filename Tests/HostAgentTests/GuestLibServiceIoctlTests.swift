// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC
import HostAgent
import Testing

@Suite("GuestLibService: guestlib.ioctl")
struct GuestLibServiceIoctlTests {
    /// `guestlib.ioctl ` + the XDR union of PROTOCOL.md §6.2.
    static func request(id: UInt32 = 1, source: String, destination: String) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeBytes(Array("guestlib.ioctl ".utf8))
        writer.writeInteger(id)
        for text in [source, destination] {
            let bytes = Array(text.utf8)
            writer.writeInteger(UInt32(bytes.count))
            writer.writeBytes(bytes)
            writer.writeBytes(repeatElement(0, count: (4 - bytes.count % 4) % 4))
        }
        return writer.bytes
    }

    @Test func exampleBytesOfTheProtocolDecode() {
        let bytes: [UInt8] =
            Array("guestlib.ioctl ".utf8) + [0, 0, 0, 1, 0, 0, 0, 2, 0x61, 0x62, 0, 0]
            + [0, 0, 0, 5, 0x63, 0x64, 0x65, 0x66, 0x67, 0, 0, 0]
        #expect(GuestLibRequest(parsing: bytes) == .atomicUpdateCookie(source: "ab", destination: "cdefg"))
        #expect(Self.request(source: "ab", destination: "cdefg") == bytes)
    }

    @Test func matchingCookieIsReplacedAndAnswersZero() {
        let fixture = StatisticsFixture()
        #expect(fixture.send(bytes: Self.request(source: "", destination: "one")) == .success("0"))
        #expect(fixture.service.statistics(forVM: "vm1").currentCookie == "one")
        #expect(fixture.send(bytes: Self.request(source: "one", destination: "two")) == .success("0"))
    }

    @Test func staleCookieIsKeptAndAnswersOne() {
        let fixture = StatisticsFixture()
        #expect(fixture.send(bytes: Self.request(source: "", destination: "one")) == .success("0"))
        #expect(fixture.send(bytes: Self.request(source: "zero", destination: "two")) == .success("1"))
        #expect(fixture.service.statistics(forVM: "vm1").currentCookie == "one")
    }

    @Test func unknownIoctlIdAnswersBadParameter() {
        let fixture = StatisticsFixture()
        #expect(fixture.send(bytes: Self.request(id: 2, source: "", destination: "x")) == .success("2"))
    }

    @Test func truncatedArgumentAnswersBadParameter() {
        let fixture = StatisticsFixture()
        let bytes = Self.request(source: "abc", destination: "defgh")
        #expect(fixture.send(bytes: Array(bytes.dropLast(4))) == .success("2"))
        #expect(fixture.send("guestlib.ioctl ") == .success("2"))
    }

    @Test func cookieOver256BytesAnswersBadParameter() {
        let fixture = StatisticsFixture()
        let long = String(repeating: "c", count: 257)
        #expect(fixture.send(bytes: Self.request(source: "", destination: long)) == .success("2"))
        let limit = String(repeating: "c", count: 256)
        #expect(fixture.send(bytes: Self.request(source: "", destination: limit)) == .success("0"))
    }
}

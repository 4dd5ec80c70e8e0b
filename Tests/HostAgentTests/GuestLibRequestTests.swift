// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import HostAgent
import Testing

@Suite("GuestLibRequest: the host's request parser")
struct GuestLibRequestTests {
    static func parse(_ text: String) -> GuestLibRequest {
        GuestLibRequest(parsing: Array(text.utf8))
    }

    @Test func infoGetReadsTheDecimalVersion() {
        #expect(Self.parse("guestlib.info.get 3") == .infoGet(version: 3))
        #expect(Self.parse("guestlib.info.get 2 ") == .infoGet(version: 2))
        #expect(Self.parse("guestlib.info.get 4294967295") == .infoGet(version: 4_294_967_295))
    }

    @Test func infoGetWithoutANumberHasNoVersion() {
        #expect(Self.parse("guestlib.info.get") == .infoGet(version: nil))
        #expect(Self.parse("guestlib.info.get ") == .infoGet(version: nil))
        #expect(Self.parse("guestlib.info.get 0x3") == .infoGet(version: nil))
        #expect(Self.parse("guestlib.info.get 4294967296") == .infoGet(version: nil))
        #expect(Self.parse("guestlib.info.get -3") == .infoGet(version: nil))
    }

    @Test func statGetSplitsOnSpacesAndToleratesEmptyFields() {
        #expect(Self.parse("guestlib.stat.get json session") == .statGet(encoding: "json", statName: "session"))
        #expect(Self.parse("guestlib.stat.get json ") == .statGet(encoding: "json", statName: ""))
        #expect(Self.parse("guestlib.stat.get   ") == .statGet(encoding: "", statName: ""))
        #expect(Self.parse("guestlib.stat.get") == .statGet(encoding: "", statName: ""))
        #expect(Self.parse("guestlib.stat.get json session ") == .statGet(encoding: "json", statName: "session"))
        #expect(
            Self.parse("guestlib.stat.get json vscsi  scsi0:0")
                == .statGet(encoding: "json", statName: "vscsi scsi0:0")
        )
    }

    @Test func otherCommandsAreUnknown() {
        #expect(Self.parse("guestlib.info.get3") == .unknownCommand)
        #expect(Self.parse("") == .unknownCommand)
        #expect(Self.parse("GuestAppMonitor.Cmd.Enable") == .unknownCommand)
    }

    @Test func ioctlWithoutArgumentIsMalformed() {
        #expect(Self.parse("guestlib.ioctl") == .malformedIoctl(reason: "no ioctl id"))
    }
}

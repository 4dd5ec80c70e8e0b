// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent
import Testing

@Suite("GuestLibService: guestlib.stat.get")
struct GuestLibServiceStatGetTests {
    @Test func sessionInJSONIsCompactWithSortedKeys() {
        let reply = StatisticsFixture().send("guestlib.stat.get json session")
        #expect(reply == .success(#"{"elapsedMs":0,"protocolVersion":3,"sessionId":"0x1111","started":"power-on"}"#))
    }

    @Test func sessionInTextIsDottedKeyValueLines() {
        let reply = StatisticsFixture().send("guestlib.stat.get text session")
        #expect(reply == .success("elapsedMs = 0\nprotocolVersion = 3\nsessionId = 0x1111\nstarted = power-on\n"))
    }

    @Test func sessionInYAMLQuotesStrings() {
        let reply = StatisticsFixture().send("guestlib.stat.get yaml session")
        #expect(reply == .success("elapsedMs: 0\nprotocolVersion: 3\nsessionId: \"0x1111\"\nstarted: \"power-on\"\n"))
    }

    @Test func sessionInXMLHasOneElementPerKey() {
        let reply = StatisticsFixture().send("guestlib.stat.get xml session")
        let expected = """
            <?xml version="1.0" encoding="UTF-8"?>
            <session>
              <elapsedMs>0</elapsedMs>
              <protocolVersion>3</protocolVersion>
              <sessionId>0x1111</sessionId>
              <started>power-on</started>
            </session>

            """
        #expect(reply == .success(expected))
    }

    @Test func emptyStatNameListsTheStatsInEveryEncoding() {
        let fixture = StatisticsFixture()
        #expect(fixture.send("guestlib.stat.get json ") == .success(#"{"stats":["host","resources","session"]}"#))
        #expect(
            fixture.send("guestlib.stat.get text ")
                == .success("stats.0 = host\nstats.1 = resources\nstats.2 = session\n"))
        #expect(
            fixture.send("guestlib.stat.get yaml ")
                == .success("stats:\n  - \"host\"\n  - \"resources\"\n  - \"session\"\n")
        )
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <guestlib>
              <stats>
                <item>host</item>
                <item>resources</item>
                <item>session</item>
              </stats>
            </guestlib>

            """
        #expect(fixture.send("guestlib.stat.get xml ") == .success(xml))
    }

    @Test func threeSpacesAskForTheListInText() {
        let reply = StatisticsFixture().send("guestlib.stat.get   ")
        #expect(reply == .success("stats.0 = host\nstats.1 = resources\nstats.2 = session\n"))
    }

    @Test func trailingSpaceAfterTheStatNameIsTolerated() {
        let reply = StatisticsFixture().send("guestlib.stat.get json session ")
        #expect(reply.succeeded)
        #expect(reply.text.hasPrefix(#"{"elapsedMs":0"#))
    }

    @Test func resourcesInJSONCarryTheModelFigures() throws {
        let reply = StatisticsFixture().send("guestlib.stat.get json resources")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(reply.payload)) as? [String: Any])
        #expect(object["resourcePoolPath"] as? String == "/host/cluster/Resources/pool")
        let cpu = try #require(object["cpu"] as? [String: Any])
        #expect((cpu["limitMHz"] as? NSNumber)?.uint64Value == 0xFFFF_FFFF)
        #expect((cpu["virtualCPUs"] as? NSNumber)?.intValue == 2)
        let memory = try #require(object["memory"] as? [String: Any])
        #expect((memory["targetSizeMB"] as? NSNumber)?.intValue == 4096)
    }

    @Test func hostInYAMLNestsMemory() {
        let reply = StatisticsFixture().send("guestlib.stat.get yaml host")
        #expect(reply.text.contains("cpuCores: 16\n"))
        #expect(reply.text.contains("memory:\n  mappedMB: 96000\n"))
    }

    @Test func hostWithHostInfoOffOmitsTheHostWideCounters() {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.host.isHostInfoEnabled = false
        fixture.service.addVM(named: "vm1", configuration: configuration)
        #expect(fixture.send("guestlib.stat.get text host") == .success("cpuMHz = 2600\nhostInfo = false\n"))
    }

    @Test func xmlEscapesMarkupInText() {
        let fixture = StatisticsFixture()
        var configuration = VMStatisticsConfiguration()
        configuration.values.resourcePoolPath = "/a&b/<c>"
        fixture.service.addVM(named: "vm1", configuration: configuration)
        #expect(fixture.send("guestlib.stat.get xml resources").text.contains("<resourcePoolPath>/a&amp;b/&lt;c&gt;</"))
    }

    @Test func unknownStatIsRefused() {
        let fixture = StatisticsFixture()
        #expect(fixture.send("guestlib.stat.get json vscsi scsi0:0") == .failure("Unknown stat"))
        #expect(fixture.send("guestlib.stat.get json nothing") == .failure("Unknown stat"))
    }

    @Test func unknownEncodingIsRefused() {
        #expect(StatisticsFixture().send("guestlib.stat.get csv session") == .failure("Unknown encoding"))
    }

    @Test func encodingNameIsCaseInsensitive() {
        #expect(StatisticsFixture().send("guestlib.stat.get JSON session").succeeded)
    }
}

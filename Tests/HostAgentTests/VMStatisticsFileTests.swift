// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent
import Testing

@Suite("VMStatistics: the statistics file")
struct VMStatisticsFileTests {
    let directory: URL

    init() throws {
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("stats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
    }

    func write(_ text: String, to name: String = "vm1.json") throws -> String {
        let url = self.directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func missingKeysKeepTheirDefaults() throws {
        let configuration = try VMStatisticsConfiguration.decode(
            Data(#"{"values": {"cpuLimitMHz": 2000}, "host": {"protocol": "v2"}}"#.utf8)
        )
        var expected = VMStatisticsConfiguration()
        expected.values.cpuLimitMHz = 2000
        expected.host.protocolVersion = .v2
        #expect(configuration == expected)
    }

    @Test func everyKeyOfTheSchemaIsRead() throws {
        let text = """
            {"host": {"protocol": "v3", "guestlibEnabled": false, "hostInfo": false, "statisticCount": 37},
             "values": {"memoryShares": 5000000000, "unavailableStatistics": [13]},
             "followHostCounters": true, "refreshIntervalSeconds": 2.5}
            """
        let configuration = try VMStatisticsConfiguration.decode(Data(text.utf8))
        #expect(!configuration.host.isGuestLibEnabled)
        #expect(!configuration.host.isHostInfoEnabled)
        #expect(configuration.host.statisticCount == 37)
        #expect(configuration.values.memoryShares == 5_000_000_000)
        #expect(configuration.values.unavailableStatistics == [13])
        #expect(configuration.followsHostCounters)
        #expect(configuration.refreshInterval == 2.5)
    }

    @Test func unknownKeyIsAnErrorNamingIt() {
        #expect(throws: StatisticsFileError(path: "<data>", reason: "unknown key values.cpuLimit")) {
            try VMStatisticsConfiguration.decode(Data(#"{"values": {"cpuLimit": 1}}"#.utf8))
        }
    }

    @Test func aRefreshIntervalOutOfRangeIsAnErrorNamingTheKeyAndTheRange() {
        let reason = "refreshIntervalSeconds must be a number of seconds from 0.1 to 3600, not 0"

        #expect(throws: StatisticsFileError(path: "<data>", reason: reason)) {
            try VMStatisticsConfiguration.decode(Data(#"{"refreshIntervalSeconds": 0}"#.utf8))
        }
    }

    @Test func wrongTypeIsAnErrorNamingTheKey() throws {
        let error = try #require(throws: StatisticsFileError.self) {
            try VMStatisticsConfiguration.decode(Data(#"{"values": {"cpuLimitMHz": "lots"}}"#.utf8))
        }
        #expect(error.reason.hasPrefix("values.cpuLimitMHz"))
    }

    @Test func fileIsReadAtStart() throws {
        let path = try self.write(#"{"values": {"memoryBalloonedMB": 77}}"#)
        let statistics = VMStatistics(name: "vm1", configurationFile: path, clock: ManualClock())
        #expect(statistics.sample().values.memoryBalloonedMB == 77)
    }

    @Test func changedFileIsPickedUpAtTheNextTick() throws {
        let clock = ManualClock()
        let path = try self.write(#"{"values": {"memoryBalloonedMB": 77}}"#)
        let statistics = VMStatistics(name: "vm1", configurationFile: path, clock: clock)
        #expect(statistics.sample().values.memoryBalloonedMB == 77)
        _ = try self.write(#"{"values": {"memoryBalloonedMB": 1234}}"#)
        #expect(statistics.sample().values.memoryBalloonedMB == 77)
        clock.advance(by: 1)
        #expect(statistics.sample().values.memoryBalloonedMB == 1234)
    }

    @Test func brokenFileKeepsTheFiguresAndWarns() throws {
        let clock = ManualClock()
        let log = InMemoryLog()
        let path = try self.write(#"{"values": {"memoryBalloonedMB": 77}}"#)
        let statistics = VMStatistics(name: "vm1", configurationFile: path, clock: clock, logger: log.logger())
        _ = try self.write(#"{"values": "#)
        clock.advance(by: 1)
        #expect(statistics.sample().values.memoryBalloonedMB == 77)
        #expect(log.entries.last?.level == .warning)
        #expect(log.entries.last?.message == "statistics file not reloaded")
    }

    @Test func procCountersAreParsed() throws {
        let stat = "cpu  100 20 30 5000 7 3 2 9 0 0\ncpu0 50 10 15 2500 3 1 1 4 0 0\ncpu1 50 10 15 2500 4 2 1 5 0 0\n"
        let meminfo =
            "MemTotal:        8192000 kB\nMemFree:         1024000 kB\nMemAvailable:    4096000 kB\n"
            + "Shmem:             102400 kB\nActive:          2048000 kB\nSwapTotal:       1024000 kB\n"
            + "SwapFree:         512000 kB\n"
        _ = try self.write(stat, to: "stat")
        _ = try self.write(meminfo, to: "meminfo")
        let reading = try ProcHostCounters(directory: self.directory.path).read()
        #expect(
            reading
                == HostCounterReading(
                    busyMs: 1550, stolenMs: 90, cpuCount: 2, memoryTotalMB: 8000, memoryFreeMB: 1000,
                    memoryAvailableMB: 4000, memoryActiveMB: 2000, memorySharedMB: 100, swapUsedMB: 500
                )
        )
    }

    @Test func thisMachinesProcCountersAreReadable() throws {
        let reading = try ProcHostCounters().read()
        #expect(reading.memoryTotalMB > 0)
        #expect(reading.cpuCount >= 1)
    }
}

@Suite("The example statistics file")
struct ExampleStatisticsFileTests {
    @Test func exampleFileNamesEveryKeyAndDecodes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("examples/statistics/web01.json").path
        let configuration = try VMStatisticsConfiguration.load(contentsOf: path)
        var expected = VMStatisticsConfiguration()
        expected.values.memoryBalloonedMB = 256
        expected.values.resourcePoolPath = "/ha-datacenter/host/cluster01/Resources/web"
        #expect(configuration == expected)

        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        )
        let values = try #require(object["values"] as? [String: Any])
        let defaults = try #require(
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(GuestStatisticsValues())) as? [String: Any]
        )
        #expect(Set(values.keys) == Set(defaults.keys))
    }
}

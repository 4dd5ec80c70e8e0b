// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent
import Testing

@Suite("VMStatistics: refresh tick, elapsed time and sessions")
struct VMStatisticsTickTests {
    let clock = ManualClock()
    let ids = SequentialSessionIDs()

    func makeStatistics(
        _ configuration: VMStatisticsConfiguration = VMStatisticsConfiguration(), file: String? = nil,
        counters: any HostCounterSource = FixedHostCounters(), logger: Logger = .disabled
    ) -> VMStatistics {
        let ids = self.ids
        return VMStatistics(
            name: "vm1", configuration: configuration, configurationFile: file, clock: self.clock,
            counters: counters, logger: logger, sessionIDs: { ids.make() }
        )
    }

    @Test func twoSamplesInsideOneTickAreEqual() {
        let statistics = self.makeStatistics()
        self.clock.advance(by: 2.2)
        let first = statistics.sample()
        self.clock.advance(by: 0.7)
        #expect(statistics.sample() == first)
    }

    @Test func elapsedTimeMovesInWholeTicks() {
        let statistics = self.makeStatistics()
        #expect(statistics.sample().elapsedMs == 0)
        self.clock.advance(by: 1.5)
        #expect(statistics.sample().elapsedMs == 1000)
        self.clock.advance(by: 0.5)
        #expect(statistics.sample().elapsedMs == 2000)
    }

    @Test func usedAndStolenGrowWithElapsedTimeAtTheConfiguredShares() {
        let statistics = self.makeStatistics()
        self.clock.advance(by: 10)
        let sample = statistics.sample()
        #expect(sample.elapsedMs == 10000)
        #expect(sample.cpuUsedMs == 5000)  // 2 vCPUs at 25 %
        #expect(sample.cpuStolenMs == 100)  // 2 vCPUs at 0.5 %
    }

    @Test func elapsedTimeNeverGoesBackwardsWhenTheClockDoes() {
        let statistics = self.makeStatistics()
        self.clock.advance(by: 5)
        let before = statistics.sample()
        self.clock.advance(by: -3)
        #expect(statistics.sample().elapsedMs == before.elapsedMs)
        self.clock.advance(by: 1.2)
        #expect(statistics.sample().elapsedMs >= before.elapsedMs)
    }

    @Test func aLongerTickHoldsValuesLonger() {
        var configuration = VMStatisticsConfiguration()
        configuration.refreshInterval = 5
        let statistics = self.makeStatistics(configuration)
        self.clock.advance(by: 4.9)
        #expect(statistics.sample().elapsedMs == 0)
        self.clock.advance(by: 0.1)
        #expect(statistics.sample().elapsedMs == 5000)
    }

    @Test func vMotionGivesANewSessionAndRestartsTheCounters() {
        let statistics = self.makeStatistics()
        self.clock.advance(by: 100)
        let before = statistics.sample()
        #expect(before.sessionID == 0x1111)
        #expect(before.elapsedMs == 100_000)
        #expect(statistics.vMotion() == 0x2222)
        let after = statistics.sample()
        #expect(after.sessionID == 0x2222)
        #expect(after.sessionStart == .vMotion)
        #expect(after.elapsedMs == 0)
        #expect(after.cpuUsedMs == 0)
        #expect(after.cpuStolenMs == 0)
        self.clock.advance(by: 1)
        #expect(statistics.sample().elapsedMs == 1000)
    }

    @Test func resumeAndRevertAlsoStartSessions() {
        let statistics = self.makeStatistics()
        #expect(statistics.resume() == 0x2222)
        #expect(statistics.sample().sessionStart == .resume)
        #expect(statistics.revertSnapshot() == 0x3333)
        #expect(statistics.sample().sessionStart == .snapshotRevert)
    }

    @Test func sessionIdIsNeverZero() {
        let statistics = VMStatistics(name: "vm1", clock: self.clock, sessionIDs: { 0 })
        #expect(statistics.sessionID != 0)
        #expect(statistics.vMotion() != 0)
    }

    @Test func sessionChangeIsLoggedAtInfo() {
        let log = InMemoryLog()
        let statistics = self.makeStatistics(logger: log.logger())
        statistics.vMotion()
        let entry = log.entries.last
        #expect(entry?.level == .info)
        #expect(entry?.message == "statistics session started")
        #expect(entry?.metadata.map(\.value) == ["vm1", "vmotion", "0x2222"])
    }

    @Test func configurationChangeTakesEffectAtTheNextTick() {
        let statistics = self.makeStatistics()
        #expect(statistics.sample().values.memoryBalloonedMB == 0)
        statistics.updateConfiguration { $0.values.memoryBalloonedMB = 512 }
        self.clock.advance(by: 0.5)
        #expect(statistics.sample().values.memoryBalloonedMB == 0)
        self.clock.advance(by: 0.5)
        #expect(statistics.sample().values.memoryBalloonedMB == 512)
    }

    @Test func followedCountersMoveUsedAndStolenFromTheSessionBaseline() {
        let counters = FixedHostCounters(busyMs: 1_000_000, stolenMs: 5000)
        var configuration = VMStatisticsConfiguration()
        configuration.followsHostCounters = true
        let statistics = self.makeStatistics(configuration, counters: counters)
        counters.advance(busyMs: 1500, stolenMs: 30)
        self.clock.advance(by: 1)
        let sample = statistics.sample()
        #expect(sample.cpuUsedMs == 1500)
        #expect(sample.cpuStolenMs == 30)
        #expect(sample.values.memoryUsedMB == 5000)
        #expect(sample.values.hostMemoryPhysicalFreeMB == 1000)
        #expect(sample.values.hostCPUCoreCount == 4)
    }
}

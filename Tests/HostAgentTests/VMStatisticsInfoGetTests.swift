// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent
import Testing

/// `infoGetReply` answers from images kept for the tick: they must always be the current sample's.
@Suite("VMStatistics: guestlib.info.get images of the current tick")
struct VMStatisticsInfoGetTests {
    let clock = ManualClock()
    let ids = SequentialSessionIDs()

    func makeStatistics() -> VMStatistics {
        let ids = self.ids
        return VMStatistics(
            name: "vm1", clock: self.clock, counters: FixedHostCounters(), sessionIDs: { ids.make() })
    }

    /// True when both replies are the images of the sample as it is now.
    func answersTheCurrentSample(_ statistics: VMStatistics) -> Bool {
        let sample = statistics.sample()
        return statistics.infoGetReply(version: 3) == RPCReply(succeeded: true, payload: sample.encodedV3())
            && statistics.infoGetReply(version: 2) == RPCReply(succeeded: true, payload: sample.encodedV2())
    }

    @Test func imagesFollowTheTicks() {
        let statistics = self.makeStatistics()
        #expect(self.answersTheCurrentSample(statistics))
        let first = statistics.infoGetReply(version: 3)
        self.clock.advance(by: 0.5)
        #expect(statistics.infoGetReply(version: 3) == first)
        self.clock.advance(by: 0.5)
        #expect(statistics.infoGetReply(version: 3) != first)
        #expect(self.answersTheCurrentSample(statistics))
    }

    @Test func sessionChangeInsideATickGivesNewImagesAtOnce() throws {
        let statistics = self.makeStatistics()
        self.clock.advance(by: 10.2)
        #expect(self.answersTheCurrentSample(statistics))
        statistics.vMotion()
        let reply = try #require(V3Reply(statistics.infoGetReply(version: 3).payload))
        #expect(reply.sessionID == 0x2222)
        #expect(self.answersTheCurrentSample(statistics))
        statistics.resume()
        #expect(try #require(V3Reply(statistics.infoGetReply(version: 3).payload)).sessionID == 0x3333)
    }

    @Test func configurationChangeShowsInTheImagesAtTheNextTick() {
        let statistics = self.makeStatistics()
        let before = statistics.infoGetReply(version: 2)
        statistics.updateConfiguration { $0.values.memoryBalloonedMB = 512 }
        self.clock.advance(by: 0.5)
        #expect(statistics.infoGetReply(version: 2) == before)
        self.clock.advance(by: 0.5)
        #expect(statistics.sample().values.memoryBalloonedMB == 512)
        #expect(self.answersTheCurrentSample(statistics))
    }

    @Test func hostBehaviourChangeAppliesAtTheNextTick() {
        let statistics = self.makeStatistics()
        _ = statistics.infoGetReply(version: 3)
        statistics.updateConfiguration { $0.host.protocolVersion = .v2 }
        #expect(statistics.infoGetReply(version: 3).succeeded)
        self.clock.advance(by: 1)
        #expect(statistics.infoGetReply(version: 3) == .failure("Unsupported version"))
        #expect(statistics.infoGetReply(version: 2).succeeded)
        statistics.updateConfiguration { $0.host.isGuestLibEnabled = false }
        statistics.vMotion()
        #expect(statistics.infoGetReply(version: 2) == .failure("Unknown command"))
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Testing

@testable import HostAgent

@Suite("Dashboard: heartbeat timeline and JSON feed")
struct DashboardFeedTests {
    static let small = DashboardFeed.Configuration(
        recentEventCount: 4, eventsPerVM: 2, timelineSlots: 6, slotWidth: .seconds(1))

    @Test func timelineMarksHeartbeatSlotsInUpperCaseAndTheWorstStatus() throws {
        let fixture = ObservabilityFixture(feedConfiguration: Self.small)
        try fixture.engine.addVM(named: "a", settings: ObservabilityFixture.settings, uptime: .seconds(1000))
        fixture.feed.start()  // samples at 0 s: gray
        try fixture.engine.enable(vmNamed: "a")
        fixture.clock.advance(by: .seconds(1))  // slot 1: green, no heartbeat yet
        try fixture.engine.markActive(vmNamed: "a")
        fixture.clock.advance(by: .milliseconds(1500))  // slot 2: green with a heartbeat
        #expect(fixture.feed.document().vms[0].timeline == "...ygG")
        fixture.clock.advance(by: .seconds(9))  // red at 11 s; the reset starts the guest over at 12 s
        #expect(fixture.feed.document().vms[0].timeline == "gggggr")
        fixture.clock.advance(by: .seconds(100))
        #expect(fixture.feed.document().vms[0].timeline == "yyyyyy")
    }

    @Test func timelineCountsHeartbeatsPerSlotAndLeavesUnsampledSlotsEmpty() {
        let timeline = HeartbeatTimeline(slotCount: 4, slotWidth: .seconds(1))
        timeline.sample([Self.state(heartbeats: 3, status: .appStatusGreen)], at: .zero)
        timeline.sample([Self.state(heartbeats: 5, status: .appStatusGreen)], at: Self.at(seconds: 2.5))
        let slots = timeline.slots(forVM: "a", at: Self.at(seconds: 3))
        #expect(
            slots == [
                .init(heartbeats: 3, status: .appStatusGreen), .init(), .init(heartbeats: 2, status: .appStatusGreen),
                .init(),
            ])
        #expect(timeline.codes(forVM: "a", at: Self.at(seconds: 3)) == "G.G.")
        #expect(timeline.codes(forVM: "unknown", at: Self.at(seconds: 3)) == "....")
    }

    @Test func documentHoldsTilesAndNewestEventsFirst() throws {
        let fixture = ObservabilityFixture(feedConfiguration: Self.small)
        try fixture.engine.addVM(named: "b", settings: ObservabilityFixture.settings, uptime: .seconds(1000))
        try fixture.engine.addVM(named: "a", settings: ObservabilityFixture.settings, uptime: .seconds(1000))
        try fixture.engine.enable(vmNamed: "a")
        fixture.clock.advance(by: .seconds(4))
        try fixture.engine.markActive(vmNamed: "a")
        fixture.clock.advance(by: .milliseconds(1500))

        let document = fixture.feed.document()

        #expect(document.vms.map(\.name) == ["a", "b"])
        let tile = document.vms[0]
        #expect(tile.status == "green")
        #expect(tile.enabled)
        #expect(tile.secondsSinceHeartbeat == 1.5)
        #expect(tile.uptimeSeconds == 1005.5)
        #expect(tile.heartbeatsReceived == 1)
        #expect(tile.timeline == ".....G")
        #expect(tile.events.map(\.kind) == ["enabled", "vm-added"])
        #expect(document.vms[1].secondsSinceHeartbeat == nil)
        #expect(document.events.map(\.kind) == ["enabled", "vm-added", "vm-added"])
        #expect(document.events.map(\.sequence) == [3, 2, 1])
        #expect(document.eventCount == 3)
    }

    @Test func feedKeepsOnlyTheNewestEvents() throws {
        let fixture = ObservabilityFixture(feedConfiguration: Self.small)
        try fixture.engine.addVM(named: "a", settings: ObservabilityFixture.settings, uptime: .seconds(1000))
        for _ in 0..<3 {
            try fixture.engine.enable(vmNamed: "a")
            try fixture.engine.disable(vmNamed: "a")
        }
        let document = fixture.feed.document()
        #expect(document.eventCount == 7)
        #expect(document.events.map(\.sequence) == [7, 6, 5, 4])
        #expect(document.vms[0].events.map(\.kind) == ["disabled", "enabled"])
    }

    @Test func resetEventsCarryTheirDetails() throws {
        let fixture = ObservabilityFixture(feedConfiguration: Self.small)
        try fixture.engine.addVM(named: "a", settings: ObservabilityFixture.settings, uptime: .seconds(1000))
        try fixture.engine.enable(vmNamed: "a")
        fixture.clock.advance(by: .seconds(10))
        let events = fixture.feed.document().events
        #expect(events.first?.kind == "reset-requested")
        #expect(events.first?.details == "cause=appHeartbeatFailure")
        #expect(events.first?.status == "red")
        #expect(events.dropFirst().first?.details == "overdue_ms=0.000")
    }

    @Test func jsonHasTheKeysThePageReads() throws {
        let fixture = ObservabilityFixture(feedConfiguration: Self.small)
        try fixture.engine.addVM(named: "a", settings: ObservabilityFixture.settings)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(fixture.feed.json())) as? [String: Any])
        #expect(
            Set(object.keys) == ["generatedAtMilliseconds", "slotSeconds", "eventCount", "vms", "events"])
        let vm = try #require((object["vms"] as? [[String: Any]])?.first)
        #expect(
            Set(vm.keys) == [
                "name", "status", "appState", "enabled", "vmMonitoring", "failureInterval", "uptimeSeconds",
                "heartbeatsReceived", "resetsDone", "resetsHeldBack", "timeline", "events",
            ])
        #expect(vm["status"] as? String == "gray")
    }

    static func state(heartbeats: UInt64, status: AppHeartbeatStatus) -> HAVMState {
        HAVMState(
            name: "a", settings: HASettings(), appMonitoringSupported: true, isEnabled: true, status: status,
            appState: .none, uptime: .zero, timeSinceLastHeartbeat: nil, heartbeatsReceived: heartbeats,
            resetsCounted: 0, resetsDone: 0, resetsHeldBack: 0, pendingReset: nil, heldBackReason: nil)
    }

    static func at(seconds: Double) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(seconds * 1e9))
    }
}

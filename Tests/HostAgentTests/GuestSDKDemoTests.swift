// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import TestSupport
import Testing

/// `guestsdk demo`, run as the built executable (it embeds the host agent, so nothing else starts).
@Suite("guestsdk demo")
struct GuestSDKDemoTests {
    /// The event names of the demo's JSON timeline.
    func eventNames(_ json: String) throws -> [String] {
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let events = try #require(document?["events"] as? [[String: Any]])
        return events.compactMap { $0["event"] as? String }
    }

    @Test func theDemoExitsZeroWithGreenRedResetHeldResetAndCancelledNeedResetInOrder() throws {
        let run = try BuiltProduct.run("guestsdk", ["demo", "--speed", "20", "--json"])
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let names = try self.eventNames(run.standardOutput)
        #expect(
            names == [
                "vm-added", "enabled", "heartbeat-missed", "reset-requested", "reset-started",
                "reset-done", "enabled",
                "heartbeat-missed", "reset-held-back", "heartbeat-resumed", "need-reset-posted",
                "reset-requested",
                "need-reset-cancelled", "disabled",
            ])
    }

    @Test func helpGoesToStandardOutputWithExitZero() throws {
        let run = try BuiltProduct.run("guestsdk", ["--help"])
        #expect(run.status == 0)
        #expect(
            run.standardOutput.hasPrefix(
                "OVERVIEW: GuestSDK's front door.\n\nusage: guestsdk demo [--speed N] [--json]\n"))
        #expect(run.standardError.isEmpty)
    }

    @Test func anUnknownSubcommandIsAUsageError() throws {
        let run = try BuiltProduct.run("guestsdk", ["frobnicate"])
        #expect(run.status == 64)
        #expect(run.standardOutput.isEmpty)
        #expect(
            run.standardError
                == "guestsdk: unknown subcommand 'frobnicate'\nusage: guestsdk demo [--speed N] [--json]\n"
        )
    }
}

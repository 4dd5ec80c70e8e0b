// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import GuestLib
import Testing

@Suite struct GuestLibConcurrencyTests {
    @Test func updatesAndGettersOnSeveralThreadsSeeWholeSnapshots() throws {
        let host = FakeHost(.v3)
        let handle = try host.openHandle()
        try handle.update()
        let mismatches = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<50 {
                if worker == 0 {
                    // A new session whose elapsedMs is derived from it, so a torn read would show.
                    let session = UInt64(round + 2)
                    var snapshot = Fixtures.fullSnapshot(sessionID: session)
                    snapshot.entries[16].value = .uint64(session * 1_000)
                    host.snapshot = snapshot
                    try? handle.update()
                } else if let snapshot = handle.snapshot,
                    snapshot.entries[16].value != .uint64(snapshot.sessionID * 1_000),
                    snapshot.sessionID != 0x1122_3344_5566_7788
                {
                    mismatches.increment()
                }
            }
        }
        #expect(mismatches.value == 0)
        #expect(try handle.sessionID.get() == 51)
    }
}

/// A counter safe to bump from several threads.
final class Counter: @unchecked Sendable {
    private let queue = DispatchQueue(label: "counter")
    private var count = 0

    func increment() { self.queue.sync { self.count += 1 } }

    var value: Int { self.queue.sync { self.count } }
}

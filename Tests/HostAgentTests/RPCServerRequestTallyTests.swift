// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import Testing

@testable import HostAgent

@Suite("RPCServer: per-VM request tallies")
struct RPCServerRequestTallyTests {
    @Test func requestsFromManyThreadsAreAllCounted() throws {
        let fixture = try ServerFixture(vms: [
            VMEndpointConfiguration(name: "vm1"), VMEndpointConfiguration(name: "vm2"),
        ])
        let replies = LockedArray<RPCReply?>()
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for _ in 0..<25 {
                let vm = thread.isMultiple(of: 2) ? "vm1" : "vm2"
                replies.append(try? fixture.client(vm).request("echo 1", fastClose: true))
            }
        }
        #expect(replies.values.count == 100)
        #expect(replies.values.allSatisfy { $0 == .success("1") })
        #expect(fixture.server.statistics.requestsByVM == ["vm1": 50, "vm2": 50])
    }

    @Test func tallyCountsEveryAddFromEveryThread() {
        let tally = RequestTally()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 { tally.add() }
        }
        #expect(tally.count == 80_000)
    }

    @Test func aVMAddedAgainCountsOnInItsOldTally() throws {
        let fixture = try ServerFixture()
        for _ in 0..<20 {
            _ = try fixture.client("vm1").request("echo 1", fastClose: true)
            fixture.server.removeVM(named: "vm1")
            try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: EchoService.router())
        }
        #expect(fixture.server.statistics.requestsByVM == ["vm1": 20])
        let tallies = fixture.server.lock.withLock { fixture.server.requestTalliesLocked() }
        #expect(tallies.count == 1)
    }
}

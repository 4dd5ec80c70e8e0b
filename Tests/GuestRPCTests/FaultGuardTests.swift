// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CPlatform
import Testing

/// The signal guard behind `guestsdk_backdoor_probe`, exercised with instructions that
/// fault without touching any I/O port (the probe itself never runs outside VMware).
@Suite(.serialized) struct FaultGuardTests {
    @Test(.enabled(if: Self.isX86)) func guardReportsACompletedBody() {
        #expect(guestsdk_fault_guard_selftest(0) == 0)
    }

    @Test(.enabled(if: Self.isX86)) func guardTurnsSIGILLIntoAFault() {
        #expect(guestsdk_fault_guard_selftest(1) == 1)
    }

    @Test(.enabled(if: Self.isX86)) func guardTurnsSIGSEGVOfAPrivilegedInstructionIntoAFault() {
        #expect(guestsdk_fault_guard_selftest(2) == 1)
    }

    @Test(.enabled(if: Self.isX86)) func guardCanBeArmedAgainAfterAFault() {
        #expect((0..<3).map { _ in guestsdk_fault_guard_selftest(1) } == [1, 1, 1])
        #expect(guestsdk_fault_guard_selftest(0) == 0)
    }

    static var isX86: Bool {
        #if arch(x86_64) || arch(i386)
            true
        #else
            false
        #endif
    }
}

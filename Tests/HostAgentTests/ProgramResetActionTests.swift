// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import HostAgent
import Testing

@Suite("ProgramResetAction: a program run without a shell, with a timeout")
struct ProgramResetActionTests {
    /// Runs `action` for `vm` and waits (blocking, with a timeout) for its outcome.
    func outcome(of action: ProgramResetAction, vm: String) throws -> ResetOutcome {
        let done = DispatchSemaphore(value: 0)
        let box = OutcomeBox()
        action.resetVM(named: vm) { outcome in
            box.value = outcome
            done.signal()
        }
        #expect(done.wait(timeout: .now() + 20) == .success)
        return try #require(box.value)
    }

    @Test func theProgramGetsItsArgumentsThenTheVMName() throws {
        let action = ProgramResetAction(
            executable: "/bin/echo", arguments: ["reset", "--hard", "a b;$(x)"])
        #expect(
            try self.outcome(of: action, vm: "web-01")
                == .programExited(status: 0, output: "reset --hard a b;$(x) web-01\n"))
    }

    @Test func aFailingProgramReportsItsExitStatus() throws {
        let action = ProgramResetAction(executable: "/bin/false")
        let outcome = try self.outcome(of: action, vm: "vm-1")
        #expect(outcome == .programExited(status: 1, output: ""))
        #expect(!outcome.succeeded)
    }

    /// `/bin/sleep` takes the VM name as its duration: a VM named `30` sleeps 30 s, past the 0.2 s
    /// timeout.
    @Test func aProgramPastItsTimeoutIsKilled() throws {
        let action = ProgramResetAction(executable: "/bin/sleep", timeout: .milliseconds(200))
        let started = DispatchTime.now()
        #expect(try self.outcome(of: action, vm: "30") == .programTimedOut(output: ""))
        #expect(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds < 10_000_000_000)
    }

    @Test func aMissingProgramFailsToStart() throws {
        let action = ProgramResetAction(executable: "/nonexistent/reset-vm")
        guard case .programFailedToStart = try self.outcome(of: action, vm: "vm-1") else {
            Issue.record("expected programFailedToStart")
            return
        }
    }

    @Test func theEngineRecordsTheProgramsOutcomeAsResetDone() throws {
        let action = ProgramResetAction(
            executable: "/usr/bin/env", arguments: ["echo", "resetting"])
        let fixture = try HAEngineFixture(resetAction: action)
        try fixture.engine.postAppState(.appStateNeedReset, vmNamed: HAEngineFixture.vm)
        fixture.advance(.seconds(1))
        let done = fixture.sink.waitForEvent(timeout: .seconds(20)) { $0.kind.name == "reset-done" }
        #expect(
            done?.kind
                == .resetDone(
                    cause: .appStateNeedReset,
                    outcome: .programExited(status: 0, output: "resetting vm-1\n")))
        #expect(
            fixture.names == [
                "need-reset-posted", "reset-requested", "reset-started", "reset-done",
            ])
    }
}

/// Carries an outcome from the completion's thread to the test.
private final class OutcomeBox: @unchecked Sendable {
    var value: ResetOutcome?
}

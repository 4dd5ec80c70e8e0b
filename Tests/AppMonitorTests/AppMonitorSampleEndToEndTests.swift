// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import Testing

/// `appmonitor-sample` against a host agent running in the test process: its
/// output, and the three answers to Ctrl+C (SIGINT, then a line on standard input).
@Suite struct AppMonitorSampleEndToEndTests {
    static let prompt = """
        Ctrl+C: what now?
          s  stop heartbeating and exit (the VM will be reset)
          d  disable monitoring and exit (no reset)
          c  continue heartbeating
        Choice [s/d/c]:\u{20}
        """

    let host: TestHost

    init() throws {
        self.host = try TestHost()
    }

    /// Starts the sample and waits for its first heartbeat.
    private func startSample(interval: String) throws -> ToolProcess {
        let path = try #require(
            ToolProcess.executablePath("appmonitor-sample"), "build with --build-tests first")
        let sample = try ToolProcess(
            executable: path, arguments: ["--interval", interval],
            environment: self.host.environment
        )
        try #require(
            sample.waitForOutput(containing: "heartbeat 1 sent\n"),
            "stderr: \(sample.standardError)")
        return sample
    }

    /// The output up to the first prompt with a one-hour interval: exactly one heartbeat.
    private var startOfOutput: String {
        "Monitoring enabled on unix:\(self.host.socketPath); a heartbeat every 3600 s. Press Ctrl+C for choices.\n"
            + "heartbeat 1 sent\n" + Self.prompt
    }

    /// Interrupts the sample and waits for the `n`-th prompt.
    private func interrupt(_ sample: ToolProcess, expectingPrompt count: Int = 1) {
        sample.send(signal: SIGINT)
        #expect(sample.waitForOutput(matchingCount: count, of: Self.prompt))
    }

    @Test func answerSStopsHeartbeatsAndTheHostTurnsRed() throws {
        let sample = try self.startSample(interval: "3600")
        self.interrupt(sample)
        sample.write("s\n")

        let result = try #require(sample.waitForExit())
        #expect(result.status == 0)
        #expect(
            result.standardOutput
                == self.startOfOutput
                + "Stopped heartbeating without disabling: vSphere HA will reset this VM.\n"
        )
        #expect(result.standardError == "")
        #expect(self.host.isEnabled)
        #expect(self.host.heartbeats == 1)
        #expect(self.host.status == "green")
        self.host.advance(seconds: 30)
        #expect(self.host.status == "red")
        self.host.advance(seconds: 1)
        #expect(self.host.resetsDone == 1)
        #expect(
            self.host.eventNames == [
                "enabled", "heartbeat-missed", "reset-requested", "reset-started", "reset-done",
            ]
        )
    }

    @Test func answerDDisablesMonitoringAndTheHostTurnsGray() throws {
        let sample = try self.startSample(interval: "3600")
        self.interrupt(sample)
        sample.write("d\n")

        let result = try #require(sample.waitForExit())
        #expect(result.status == 0)
        #expect(result.standardOutput == self.startOfOutput + "Monitoring disabled: no reset.\n")
        #expect(!self.host.isEnabled)
        self.host.advance(seconds: 60)
        #expect(self.host.status == "gray")
        #expect(self.host.resetsDone == 0)
        #expect(self.host.eventNames == ["enabled", "disabled"])
    }

    @Test func answerCContinuesAndAsksAgainOnTheNextInterrupt() throws {
        let sample = try self.startSample(interval: "3600")
        self.interrupt(sample)
        sample.write("c\n")
        #expect(sample.waitForOutput(containing: "Continuing to heartbeat.\n"))
        self.interrupt(sample, expectingPrompt: 2)
        sample.write("d\n")

        let result = try #require(sample.waitForExit())
        #expect(result.status == 0)
        #expect(
            result.standardOutput
                == self.startOfOutput + "Continuing to heartbeat.\n" + Self.prompt
                + "Monitoring disabled: no reset.\n"
        )
    }

    @Test func answerCKeepsTheHeartbeatsFlowing() throws {
        let sample = try self.startSample(interval: "0.05")
        self.interrupt(sample)
        sample.write("c\n")
        #expect(sample.waitForOutput(containing: "Continuing to heartbeat.\n"))
        self.host.advance(seconds: 20)
        let beatsSoFar = sample.standardOutput.components(separatedBy: " sent\n").count - 1
        #expect(sample.waitForOutput(containing: "heartbeat \(beatsSoFar + 2) sent\n"))
        #expect(self.host.heartbeats >= beatsSoFar + 2)
        self.host.advance(seconds: 20)
        #expect(self.host.status == "green")
        #expect(self.host.eventNames == ["enabled"])

        self.interrupt(sample, expectingPrompt: 2)
        sample.write("d\n")
        #expect(try #require(sample.waitForExit()).status == 0)
        #expect(self.host.status == "gray")
    }

    @Test func endOfInputCountsAsD() throws {
        let sample = try self.startSample(interval: "3600")
        self.interrupt(sample)
        sample.closeInput()

        let result = try #require(sample.waitForExit())
        #expect(result.status == 0)
        #expect(
            result.standardOutput
                == self.startOfOutput
                + "End of input: disabling as for d.\nMonitoring disabled: no reset.\n"
        )
        #expect(self.host.status == "gray")
    }

    @Test func otherAnswersAskAgainAndUpperCaseIsAccepted() throws {
        let sample = try self.startSample(interval: "3600")
        self.interrupt(sample)
        sample.write("x\n")
        #expect(sample.waitForOutput(containing: "Please answer s, d or c.\n"))
        sample.write(" D \n")

        let result = try #require(sample.waitForExit())
        #expect(
            result.standardOutput
                == self.startOfOutput
                + "Please answer s, d or c.\nChoice [s/d/c]: Monitoring disabled: no reset.\n"
        )
    }
}

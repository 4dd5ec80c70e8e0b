// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import GuestRPC

/// Seconds on the machine's monotonic clock, the same time line as `SystemClock.monotonicNow`.
func soakNow() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// What a soak guest can ask the host side to do to its VM.
protocol SoakHostFaults: Sendable {
    /// Injects a fault of the control API (`POST /v1/vms/{vm}/faults`), such as `{"fault": "vmotion"}`.
    func inject(_ fault: String, into vm: String) throws
}

/// One simulated guest of the soak: a seeded script of heartbeats, gaps and faults over a real
/// guest channel (`StreamChannel`, kept connection), and the events the host should record for it.
///
/// A guest is driven by one worker thread at a time: `step(at:)` does one or two requests and
/// says when to be called again. Gaps are chosen far from the failure interval (at most
/// `interval - 3 s`, or at least `interval + reset delay + 1.5 s` before looking), so every
/// reset is either certainly expected or certainly false; if the driver itself falls so far
/// behind that a gap nears the interval, the guest is marked ambiguous instead of judged.
final class SoakGuest {
    struct Timing {
        var failureInterval: Double
        var resetDelay: Double
        var heartbeatInterval: Double
    }

    private enum Step {
        case enable
        case heartbeat
        case probeAfterReset
        case postOk
        case resumeAfterVMotion
        case enableAfterPause
        case delayedHeartbeats(remaining: Int)
    }

    let name: String
    private let channel: StreamChannel
    private var random: SoakRandom
    private let timing: Timing
    private var step = Step.enable
    private var stretchEndsAt = 0.0
    private var lastHonoured = 0.0
    private var needResetPostedAt = 0.0
    /// The events the host must have recorded for this VM, by kind name.
    private(set) var expected: [String: Int] = ["vm-added": 1]
    /// Replies that a real host would not have given, with what was expected.
    private(set) var anomalies: [String] = []
    /// True when the driver fell behind so far that a gap came near the failure interval.
    private(set) var isAmbiguous = false
    private(set) var requests = 0
    private(set) var heartbeats = 0
    private(set) var faults: [String: Int] = [:]

    init(name: String, socketPath: String, seed: UInt64, index: Int, timing: Timing) {
        self.name = name
        self.channel = StreamChannel.unix(path: socketPath, oneShot: false, logger: .disabled, ioTimeoutSeconds: 10)
        self.random = SoakRandom(seed: seed, stream: index)
        self.timing = timing
    }

    /// The first call's time: spread over one heartbeat interval after `start`.
    func firstStep(after start: Double) -> Double {
        start + Double.random(in: 0..<self.timing.heartbeatInterval, using: &self.random)
    }

    /// Does the current step; returns when to be called next, or nil when the guest has finished.
    ///
    /// - Parameters:
    ///   - now: the current time (`soakNow()`).
    ///   - endsAt: after this, no new episode starts; the guest disables monitoring and finishes.
    ///   - host: the host-side faults.
    func step(at now: Double, endsAt: Double, host: any SoakHostFaults) -> Double? {
        switch self.step {
        case .enable, .enableAfterPause:
            return self.enable(at: now)
        case .heartbeat:
            guard now < self.stretchEndsAt && now < endsAt else {
                return self.beginEpisode(at: now, endsAt: endsAt, host: host)
            }
            return self.heartbeat(at: now)
        case .probeAfterReset:
            self.expect("GuestAppMonitor.Cmd.IsEnabled", "false", "the reset had not run by the probe")
            return self.enable(at: soakNow())
        case .postOk:
            if now - self.needResetPostedAt > self.timing.resetDelay - 0.2 { self.isAmbiguous = true }
            self.expect("GuestAppMonitor.Cmd.PostAppState appStateOk", "0", "posting OK failed")
            self.count("need-reset-cancelled")
            self.step = .heartbeat
            return now + 0.05
        case .delayedHeartbeats(let remaining):
            guard remaining > 0 else {
                self.inject(#"{"fault": "delay", "milliseconds": 0}"#, host: host)
                self.step = .heartbeat
                return self.heartbeat(at: soakNow())
            }
            self.step = .delayedHeartbeats(remaining: remaining - 1)
            return self.heartbeat(at: now)
        case .resumeAfterVMotion:
            self.expect("GuestAppMonitor.Cmd.MarkActive", "2", "MarkActive after a vMotion was not refused")
            return self.enable(at: soakNow())
        }
    }

    private func enable(at now: Double) -> Double {
        if self.expect("GuestAppMonitor.Cmd.Enable", "0", "Enable failed") { self.count("enabled") }
        self.lastHonoured = now
        self.step = .heartbeat
        self.stretchEndsAt = now + Double.random(in: 3...10, using: &self.random)
        return now + self.timing.heartbeatInterval
    }

    private func heartbeat(at now: Double) -> Double {
        if now - self.lastHonoured > self.timing.failureInterval - 1.5 { self.isAmbiguous = true }
        self.heartbeats += 1
        if self.expect("GuestAppMonitor.Cmd.MarkActive", "0", "a heartbeat was refused: monitoring was off") {
            self.lastHonoured = now
        } else {
            return self.enable(at: soakNow())
        }
        return now + self.timing.heartbeatInterval
    }

    /// Starts a random episode at the end of a heartbeat stretch, or finishes after `endsAt`.
    private func beginEpisode(at now: Double, endsAt: Double, host: any SoakHostFaults) -> Double? {
        guard now < endsAt else {
            if self.expect("GuestAppMonitor.Cmd.Disable", "0", "the final Disable failed") { self.count("disabled") }
            self.channel.close()
            return nil
        }
        let timing = self.timing
        let roll = Int.random(in: 0..<100, using: &self.random)
        self.stretchEndsAt = now + Double.random(in: 3...10, using: &self.random)
        switch roll {
        case 0..<25:  // a short gap: the next heartbeat comes late but well inside the interval
            self.fault("short-gap")
            return self.lastHonoured + Double.random(in: 1.0...(timing.failureInterval - 3), using: &self.random)
        case 25..<40:  // heartbeats stop: red, then a reset
            self.fault("long-gap")
            self.expectReset(heartbeatFailure: true)
            self.step = .probeAfterReset
            return self.lastHonoured + timing.failureInterval + timing.resetDelay + 1.5
        case 40..<50:
            self.fault("need-reset")
            if self.expect("GuestAppMonitor.Cmd.PostAppState appStateNeedReset", "0", "need-reset failed") {
                self.expectReset(heartbeatFailure: false)
            }
            self.step = .probeAfterReset
            return now + timing.resetDelay + 1.5
        case 50..<60:
            self.fault("need-reset-cancelled")
            self.needResetPostedAt = now
            if self.expect("GuestAppMonitor.Cmd.PostAppState appStateNeedReset", "0", "need-reset failed") {
                self.count("need-reset-posted")
                self.count("reset-requested")
            }
            self.step = .postOk
            return now + Double.random(in: 0.05...0.15, using: &self.random)
        case 60..<68:
            self.fault("vmotion")
            if self.inject(#"{"fault": "vmotion"}"#, host: host) {
                self.count("vmotion")
                self.step = .resumeAfterVMotion
            }
            return now + 0.2
        case 68..<78:  // the host closes the connection; the channel reconnects and resends (§7.3)
            self.fault("connection-drop")
            self.inject(#"{"fault": "drop-connections"}"#, host: host)
            return now + timing.heartbeatInterval / 2
        case 78..<82:  // a new statistics session; nothing changes for HA
            self.fault("suspend-resume")
            self.inject(#"{"fault": "suspend-resume"}"#, host: host)
            return now + timing.heartbeatInterval
        case 92..<95:  // three heartbeats answered 100 ms late
            self.fault("reply-delay")
            self.inject(#"{"fault": "delay", "milliseconds": 100}"#, host: host)
            self.step = .delayedHeartbeats(remaining: 3)
            return now + timing.heartbeatInterval
        case 82..<92:  // Disable first, then silence: gray, never a reset (PROTOCOL.md §17 #9)
            self.fault("disable-pause")
            if self.expect("GuestAppMonitor.Cmd.Disable", "0", "Disable failed") { self.count("disabled") }
            self.step = .enableAfterPause
            return now + timing.failureInterval + 1
        default:
            return self.heartbeat(at: now)
        }
    }

    /// Injects a host-side fault, which the agent records as a `fault-injected` event first.
    @discardableResult
    private func inject(_ fault: String, host: any SoakHostFaults) -> Bool {
        do {
            try host.inject(fault, into: self.name)
            self.count("fault-injected")
            return true
        } catch {
            self.anomalies.append("fault \(fault) failed: \(error)")
            return false
        }
    }

    private func expectReset(heartbeatFailure: Bool) {
        if heartbeatFailure {
            self.count("heartbeat-missed")
        } else {
            self.count("need-reset-posted")
        }
        for kind in ["reset-requested", "reset-started", "reset-done"] {
            self.count(kind)
        }
    }

    /// The number of resets this guest's script caused.
    var resetsExpected: Int { self.expected["reset-started", default: 0] }

    private func count(_ kind: String) {
        self.expected[kind, default: 0] += 1
    }

    private func fault(_ name: String) {
        self.faults[name, default: 0] += 1
    }

    /// Sends `request`; true when the reply is `1 <payload>`, else records `problem` as an anomaly.
    @discardableResult
    private func expect(_ request: String, _ payload: String, _ problem: String) -> Bool {
        self.requests += 1
        do {
            let reply = try self.channel.send(Array(request.utf8))
            guard reply == .success(payload) else {
                self.anomalies.append("\(problem): \(request) -> \(reply)")
                return false
            }
            return true
        } catch {
            self.anomalies.append("\(problem): \(request) -> \(error)")
            return false
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import GuestLib
import GuestRPC
import HostAgent

/// `guestsdk demo`: HA application monitoring end to end, in one process, on a fast clock.
///
/// An embedded host agent serves one VM on a Unix socket in a temporary state directory; its HA
/// engine runs on a `ScaledClock`. A heartbeating application talks to it with the AppMonitor
/// client over that socket (`GUESTSDK_RPC=unix:…`), and the GuestLib client reads the VM's
/// statistics. The demo then stops the heartbeats (red, then a reset), lets the restarted
/// application hang before the minimum uptime (a held-back reset), posts a need-reset and cancels
/// it, and prints the event timeline.
final class Demo {
    /// What `guestsdk demo` was asked for.
    struct Options {
        /// Clock seconds per real second.
        var speed: Double = 10
        /// Print only the timeline, as JSON, on standard output.
        var json = false
    }

    /// Why the demo stopped early.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let vmName = "demo-vm"

    /// 30 s failure interval, 60 s minimum uptime, 3 resets per hour.
    static let settings = HASettings(
        vmMonitoring: .vmAndAppMonitoring, failureInterval: 30, minUpTime: 60, maxFailures: 3,
        maxFailureWindow: 3600)

    /// Seconds of clock time between two heartbeats of the application.
    static let heartbeatSeconds = 5.0

    /// Clock time a requested reset waits, so an `appStateOk` can still cancel it.
    static let resetDelay = Duration.seconds(5)

    let options: Options
    let output: DemoOutput
    let clock: ScaledClock
    let sink: InMemoryEventSink
    let engine: HAEngine

    init(options: Options) {
        self.options = options
        let output = DemoOutput(quiet: options.json)
        self.output = output
        let clock = ScaledClock(speed: options.speed)
        self.clock = clock
        self.sink = InMemoryEventSink { event in
            output.line("    host  \(DemoOutput.format(event))")
        }
        self.engine = HAEngine(
            clock: clock, sink: self.sink,
            configuration: HAEngine.Configuration(resetDelay: Self.resetDelay))
    }

    /// Runs the demo and returns the events it recorded.
    ///
    /// - Throws: `Demo.Failure` or the error of the step that failed.
    func run() throws -> [HAEvent] {
        let stateDirectory = try Self.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: stateDirectory) }
        let server = try self.startHostAgent(stateDirectory: stateDirectory)
        defer { server.stop() }
        let environment = [
            Endpoint.environmentVariable: "unix:" + server.socketPath(forVM: Self.vmName)
        ]
        self.output.line("  The guest reaches it through GUESTSDK_RPC=\(environment[Endpoint.environmentVariable]!)")

        let application = AppMonitor(environment: environment)
        let heartbeat = try self.showHeartbeats(application)
        try self.showStatistics(environment: environment)
        heartbeat.stop()
        try self.showResetAfterHeartbeatsStop(application)

        let restarted = AppMonitor(environment: environment)
        try self.showResetHeldBack(restarted)
        try self.showNeedResetCancelled(restarted)
        try restarted.disable()
        let finalStatus = try restarted.appStatus()
        self.output.line(
            "\nThe application disables monitoring before it exits: status \(finalStatus).")

        let events = self.sink.events
        self.output.timeline(events)
        try Self.checkStory(events)
        return events
    }

    private func startHostAgent(stateDirectory: String) throws -> RPCServer {
        let speed = String(format: "%g", self.options.speed)
        self.output.section(
            "An embedded host agent serves \(Self.vmName); its clock runs \(speed)x real time")
        try self.engine.addVM(named: Self.vmName, settings: Self.settings, uptime: .seconds(600))
        let router = Router()
        router.register(
            prefix: AppMonitorService.commandPrefix, to: AppMonitorService(engine: self.engine))
        let statistics = GuestLibService(clock: self.clock)
        statistics.register(on: router)
        statistics.addVM(named: Self.vmName)
        let server = RPCServer(
            configuration: RPCServer.Configuration(stateDirectory: stateDirectory),
            logger: .disabled)
        try server.addVM(VMEndpointConfiguration(name: Self.vmName), router: router)
        let policy = Self.settings
        self.output.line(
            "  HA policy: \(policy.vmMonitoring.rawValue), failureInterval \(policy.failureInterval) s, "
                + "minUpTime \(policy.minUpTime) s, maxFailures \(policy.maxFailures) per "
                + "\(policy.maxFailureWindow) s; the VM has been up for 600 s")
        return server
    }

    /// Enables monitoring, starts heartbeating and shows the status; returns the running heartbeat.
    private func showHeartbeats(_ application: AppMonitor) throws -> Heartbeat {
        let every = Int(Self.heartbeatSeconds)
        self.output.section("An application enables monitoring and heartbeats every \(every) s")
        self.output.line(
            "  Status is gray while nothing is enabled, green while heartbeats arrive within the failure")
        self.output.line("  interval, red once one is missed; red leads to a reset.")
        try application.enable()
        let heartbeat = self.makeHeartbeat(application)
        heartbeat.start()
        for _ in 0..<3 {
            self.waitClockSeconds(Self.heartbeatSeconds)
            let status = try application.appStatus()
            self.output.line(
                "  guest  GetAppStatus -> \(status)  (\(heartbeat.beatsSent) heartbeats sent)")
        }
        return heartbeat
    }

    private func showStatistics(environment: [String: String]) throws {
        self.output.section("The guest reads its statistics with GuestLib (guestlib.info.get)")
        let handle = try GuestLibHandle(endpoint: try Endpoint.fromEnvironment(environment))
        try handle.update()
        let rows: [(String, String)] = [
            ("session id", Self.text(handle.sessionID)),
            ("elapsed ms", Self.text(handle.elapsedMs)),
            ("cpu limit MHz", Self.limitText(handle.cpuLimitMHz)),
            ("cpu used ms", Self.text(handle.cpuUsedMs)),
            ("host cpu MHz", Self.text(handle.hostProcessorSpeedMHz)),
            ("memory used MB", Self.text(handle.memoryUsedMB)),
            ("memory ballooned MB", Self.text(handle.memoryBalloonedMB)),
        ]
        for (name, value) in rows {
            self.output.line(
                "  guest  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(value)")
        }
    }

    private func showResetAfterHeartbeatsStop(_ application: AppMonitor) throws {
        self.output.section("The application hangs: heartbeats stop, without Disable")
        let before = self.engine.eventCount
        _ = try self.awaitEvent("heartbeat-missed", after: before, clockSeconds: 60)
        self.output.line("  guest  GetAppStatus -> \(try application.appStatus())")
        _ = try self.awaitEvent("reset-done", after: before, clockSeconds: 30)
        let state = try self.vmState()
        self.output.line(
            "  The VM was reset: the guest starts over with monitoring off, status \(state.status.wireText), "
                + "uptime \(Self.seconds(state.uptime))")
    }

    private func showResetHeldBack(_ application: AppMonitor) throws {
        self.output.section(
            "The restarted application enables monitoring, then hangs within the minimum uptime")
        try application.enable()
        let before = self.engine.eventCount
        let held = try self.awaitEvent("reset-held-back", after: before, clockSeconds: 60)
        let reason = held.kind.fields.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let uptime = Self.seconds(try self.vmState().uptime)
        self.output.line("  The reset is held back at uptime \(uptime): \(reason)")
        try application.markActive()
        self.output.line(
            "  guest  MarkActive: the application recovers -> \(try application.appStatus())")
    }

    private func showNeedResetCancelled(_ application: AppMonitor) throws {
        self.output.section(
            "The application asks for a reset (appStateNeedReset), then posts appStateOk in time")
        let heartbeat = self.makeHeartbeat(application)
        heartbeat.start()
        defer { heartbeat.stop() }
        let remaining = Self.settings.minUpTime - Int(try self.vmState().uptime.totalSeconds) + 1
        if remaining > 0 {
            self.output.line(
                "  (waiting \(remaining) s of clock time until the minimum uptime has passed)")
            self.waitClockSeconds(Double(remaining))
        }
        let before = self.engine.eventCount
        try application.postAppState(.needReset)
        try application.postAppState(.ok)
        _ = try self.awaitEvent("need-reset-cancelled", after: before, clockSeconds: 1)
        let quietTime = self.realTime(clockSeconds: 10)
        let reset = self.sink.waitForEvent(after: before, timeout: quietTime) { $0.kind.name == "reset-started" }
        guard reset == nil else {
            throw Failure(description: "the cancelled need-reset still reset the VM")
        }
        let status = try application.appStatus()
        self.output.line(
            "  No reset: 10 s of clock time later the VM is still up, status \(status)")
    }

    private func makeHeartbeat(_ application: AppMonitor) -> Heartbeat {
        Heartbeat(monitor: application, interval: Self.heartbeatSeconds / self.options.speed) {
            [output] beat in
            if let error = beat.error {
                output.line("  guest  heartbeat \(beat.number) failed: \(error)")
            }
        }
    }

    private func vmState() throws -> HAVMState {
        guard let state = self.engine.state(ofVM: Self.vmName) else {
            throw Failure(description: "the VM is gone")
        }
        return state
    }

    /// Waits until an event named `name` after sequence number `after` arrives.
    private func awaitEvent(_ name: String, after: UInt64, clockSeconds: Double) throws -> HAEvent {
        let timeout = self.realTime(clockSeconds: clockSeconds) + .seconds(5)
        guard
            let event = self.sink.waitForEvent(
                after: after, timeout: timeout, where: { $0.kind.name == name })
        else {
            throw Failure(description: "no \(name) event within \(clockSeconds) s of clock time")
        }
        return event
    }

    private func waitClockSeconds(_ seconds: Double) {
        Thread.sleep(forTimeInterval: seconds / self.options.speed)
    }

    private func realTime(clockSeconds: Double) -> Duration {
        .nanoseconds(Int64(clockSeconds / self.options.speed * 1e9))
    }

    /// Fails unless the events hold green, red, a reset, a held reset and a cancelled need-reset,
    /// in that order.
    static func checkStory(_ events: [HAEvent]) throws {
        let story = [
            "enabled", "heartbeat-missed", "reset-done", "reset-held-back", "need-reset-cancelled",
        ]
        var remaining = story[...]
        for event in events where event.kind.name == remaining.first {
            remaining.removeFirst()
            if remaining.isEmpty { return }
        }
        throw Failure(description: "the timeline lacks \(remaining.first!) after the earlier steps")
    }

    private static func makeTemporaryDirectory() throws -> String {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "guestsdk-demo.XXXXXX")
        var template = Array(directory.path.utf8CString)
        guard let path = mkdtemp(&template) else {
            throw Failure(description: "mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        return String(cString: path)
    }

    private static func text<Value>(_ result: Result<Value, GuestLibError>) -> String {
        switch result {
        case .success(let value): "\(value)"
        case .failure(let error): "(\(error))"
        }
    }

    /// A limit as text: 0xFFFFFFFF is how a host says "unlimited".
    private static func limitText(_ result: Result<UInt32, GuestLibError>) -> String {
        result == .success(UInt32.max) ? "unlimited (\(UInt32.max))" : Self.text(result)
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", duration.totalSeconds)
    }
}

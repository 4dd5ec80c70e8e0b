// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation
import GuestRPC
import HostAgent
import Testing

/// An agent in this process: HA engine on the real clock, RPC server, control HTTP server with the
/// observability routes, and guests heartbeating over their VMs' sockets.
final class DashboardAgentFixture {
    /// 2 s failure interval, no minimum uptime; the engine waits 3 s before a reset runs, so red shows.
    static let settings = HASettings(
        vmMonitoring: .vmAndAppMonitoring, failureInterval: 2, minUpTime: 0, maxFailures: 3, maxFailureWindow: -1)

    let clock = SystemClock()
    let events = InMemoryEventSink()
    let sink = LateBoundSink()
    let engine: HAEngine
    let metrics: AgentMetrics
    let feed: DashboardFeed
    let server: ServerFixture
    let http: ControlHTTPServer
    let router: HTTPRouter
    var guests: [String: HeartbeatingGuest] = [:]

    init(vms: [String]) throws {
        self.engine = HAEngine(
            clock: self.clock, sink: self.sink, configuration: HAEngine.Configuration(resetDelay: .seconds(3)))
        let metrics = AgentMetrics(engine: self.engine)
        self.metrics = metrics
        self.feed = DashboardFeed(engine: self.engine, clock: self.clock)
        self.sink.sinks = [self.events, self.metrics, self.feed]
        self.server = try ServerFixture(vms: [], requestObserver: { metrics.observe($0) })
        let router = Router()
        router.register(prefix: AppMonitorService.commandPrefix, to: AppMonitorService(engine: self.engine))
        for name in vms {
            try self.engine.addVM(named: name, settings: Self.settings)
            try self.server.server.addVM(VMEndpointConfiguration(name: name), router: router)
        }
        self.router = HTTPRouter(token: ControlToken(value: "dashboard-test-token"))
        ObservabilityRoutes(metrics: self.metrics, feed: self.feed).register(on: self.router)
        let httpRouter = self.router
        self.http = try ControlHTTPServer(logger: .disabled) { httpRouter.respond(to: $0) }
        self.feed.start()
    }

    deinit {
        self.guests.values.forEach { $0.stop() }
        self.http.stop()
        self.feed.stop()
    }

    var url: String { "http://127.0.0.1:\(self.http.port)/" }

    /// Starts a guest on `vm` that enables monitoring and then heartbeats every `interval`.
    func startHeartbeating(_ vm: String, interval: DispatchTimeInterval = .milliseconds(250)) throws {
        self.guests[vm] = try HeartbeatingGuest(path: self.server.path(vm), interval: interval)
    }
}

/// A guest that enables app monitoring and calls MarkActive on a timer until stopped.
final class HeartbeatingGuest: @unchecked Sendable {
    private let client: TestClient
    private let timer: DispatchSourceTimer
    private let queue = DispatchQueue(label: "guestsdk.test.guest")

    init(path: String, interval: DispatchTimeInterval) throws {
        self.client = try TestClient(path: path)
        guard try self.client.request("GuestAppMonitor.Cmd.Enable") == .success("0") else {
            throw TestClientError(description: "Enable was refused")
        }
        self.timer = DispatchSource.makeTimerSource(queue: self.queue)
        self.timer.schedule(deadline: .now() + interval, repeating: interval)
        let client = self.client
        self.timer.setEventHandler { _ = try? client.request("GuestAppMonitor.Cmd.MarkActive") }
        self.timer.activate()
    }

    /// Stops heartbeating without `Disable`, as a hung application does.
    func stop() {
        self.timer.cancel()
        self.queue.sync {}
    }
}

@Suite("Dashboard in headless Chromium", .serialized)
struct DashboardBrowserTests {
    static let screenshotPath = BrowserCheck.repositoryRoot + "/.build/test-artifacts/dashboard.png"

    private static func tile(_ vm: String) -> String {
        "document.querySelector('.tile[data-vm=\"\(vm)\"]')"
    }

    @Test(
        .enabled(
            if: BrowserCheck.chromiumIsInstalled,
            "Chromium is not installed: scripts/setup installs the Debian package chromium"),
        .timeLimit(.minutes(2)))
    func tileTurnsRedAndResetEventAppearsWhenHeartbeatsStop() throws {
        let agent = try DashboardAgentFixture(vms: ["web01", "web02", "db01", "cache01"])
        for vm in ["web01", "web02", "cache01"] {
            try agent.startHeartbeating(vm)
        }
        let browser = try BrowserCheck(url: agent.url)

        let green = try browser.wait(
            seconds: 20,
            for: "(\(Self.tile("web01"))?.dataset.status === 'green' && \(Self.tile("web02")).dataset.status === "
                + "'green' && \(Self.tile("db01")).dataset.status === 'gray' && "
                + "+document.body.dataset.refreshes >= 2 && \(Self.tile("web01")).querySelectorAll('svg path')[1]"
                + ".getAttribute('d').length > 0) ? document.getElementById('count-green').textContent : null")
        #expect(green == "\"3\"")

        agent.guests["web01"]?.stop()
        let redSeen = try browser.wait(
            seconds: 20,
            for: "(\(Self.tile("web01")).dataset.status === 'red' && "
                + "document.querySelector('#events tr[data-vm=\"web01\"][data-kind=\"reset-requested\"]')) ? "
                + "[\(Self.tile("web01")).querySelector('.pill').textContent, "
                + "document.querySelector('#events tr[data-vm=\"web01\"]').dataset.kind] : null")
        try browser.screenshot(to: Self.screenshotPath)
        print("dashboard screenshot: \(Self.screenshotPath)")
        #expect(redSeen == "[\"red\", \"reset-requested\"]")

        let afterReset = try browser.wait(
            seconds: 20,
            for: "document.querySelector('#events tr[data-vm=\"web01\"][data-kind=\"reset-done\"]') ? "
                + "[\(Self.tile("web01")).dataset.status, \(Self.tile("web02")).dataset.status, "
                + "\(Self.tile("cache01")).dataset.status] : null")
        #expect(afterReset == "[\"gray\", \"green\", \"green\"]")
        #expect(try browser.quit() == 0)

        let resetVMs = Set(agent.events.events.filter { $0.kind.name.hasPrefix("reset") }.map(\.vmName))
        #expect(resetVMs == ["web01"])
        let png = try Data(contentsOf: URL(fileURLWithPath: Self.screenshotPath))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}

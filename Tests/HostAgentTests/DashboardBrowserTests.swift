// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation
import GuestRPC
import HostAgent
import TestSupport
import Testing

/// The real `guestsdk-host` in a child process with a few VMs on a fast HA policy (2 s failure
/// interval, no minimum uptime, 3 s before a reset runs so red shows), and guests heartbeating
/// over their VMs' sockets.
final class DashboardAgentFixture {
    let directory: String
    let agent: AgentProcess
    var guests: [String: HeartbeatingGuest] = [:]

    init(vms: [String]) throws {
        guard let binary = BuiltProduct.path(of: "guestsdk-host") else {
            throw TestClientError(description: "guestsdk-host is not built: run swift build first")
        }
        self.directory = try DaemonFixture.makeTemporaryDirectory()
        let ha = #"{"vmMonitoring": "vmAndAppMonitoring", "failureInterval": 2, "minUpTime": 0, "maxFailures": 3}"#
        let config = """
            {"stateDirectory": "\(self.directory)", "resetDelaySeconds": 3,
             "vms": [\(vms.map { #"{"name": "\#($0)", "ha": \#(ha)}"# }.joined(separator: ", "))]}
            """
        let path = self.directory + "/config.json"
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        self.agent = try AgentProcess(binary: binary, directory: self.directory, config: path)
    }

    deinit {
        self.guests.values.forEach { $0.stop() }
        self.agent.stop()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    var url: String { "http://127.0.0.1:\(self.agent.client.port)/" }

    /// A client of the control API that sends no token, as a browser or a scraper does.
    var anonymousClient: ControlClient { ControlClient(port: self.agent.client.port, token: nil) }

    /// Starts a guest on `vm` that enables monitoring and then heartbeats every `interval`.
    func startHeartbeating(_ vm: String, interval: DispatchTimeInterval = .milliseconds(250)) throws {
        self.guests[vm] = try HeartbeatingGuest(
            path: self.directory + "/vms/\(vm).sock", interval: interval)
    }

    /// The dashboard's JSON as the page reads it.
    func dashboardState() throws -> DashboardDocument {
        try JSONDecoder().decode(
            DashboardDocument.self, from: self.anonymousClient.send("GET", "/dashboard/state").body)
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

        let resetVMs = Set(try agent.agent.events().filter { $0.kind.hasPrefix("reset") }.map(\.vmName))
        #expect(resetVMs == ["web01"])
        let png = try Data(contentsOf: URL(fileURLWithPath: Self.screenshotPath))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}

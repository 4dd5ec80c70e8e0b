// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import HostAgent
import TestSupport

/// The host side of a soak: the real `guestsdk-host` in a child process, with its SQLite store,
/// its fault injection over the control API, its metrics and its dashboard.
final class SoakHost: SoakHostFaults, @unchecked Sendable {
    let directory: String
    let agent: AgentProcess
    let client: ControlClient

    init(configuration: SoakConfiguration) throws {
        guard let binary = BuiltProduct.path(of: "guestsdk-host") else {
            throw TestClientError(description: "guestsdk-host is not built: run swift build first")
        }
        self.directory = try DaemonFixture.makeTemporaryDirectory()
        let ha = """
            {"vmMonitoring": "vmAndAppMonitoring", "failureInterval": \(configuration.failureInterval), \
            "minUpTime": 0, "maxFailures": 10000, "maxFailureWindow": 3600}
            """
        let vms = (0..<configuration.vmCount).map { #"{"name": "\#(Self.vmName($0))", "ha": \#(ha)}"# }
        let config = """
            {"stateDirectory": "\(self.directory)", "resetDelaySeconds": \(configuration.resetDelay),
             "vms": [\(vms.joined(separator: ",\n"))]}
            """
        let path = self.directory + "/config.json"
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        self.agent = try AgentProcess(binary: binary, directory: self.directory, config: path)
        self.client = self.agent.client
    }

    deinit {
        if self.agent.process.isRunning { self.agent.stop() }
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    static func vmName(_ index: Int) -> String {
        "soak-\(String(index + 10000).dropFirst())"
    }

    func socketPath(forVM name: String) -> String {
        self.directory + "/vms/\(name).sock"
    }

    func inject(_ fault: String, into vm: String) throws {
        let reply = try self.client.send("POST", "/v1/vms/\(vm)/faults", body: Data(fault.utf8))
        guard reply.status == 200 else {
            throw TestClientError(description: "fault \(fault) into \(vm): \(reply.status) \(reply.text)")
        }
    }

    /// GETs `path` without the token, as a scraper or the dashboard page does; returns the body.
    func scrape(_ path: String) throws -> String {
        let reply = try ControlClient(port: self.client.port, token: nil).send("GET", path)
        guard reply.status == 200 else { throw TestClientError(description: "GET \(path): \(reply.status)") }
        return reply.text
    }

    /// The agent's CPU time (user + system) so far, from `/proc/<pid>/stat`.
    func cpuSeconds() -> Double {
        guard
            let stat = try? String(
                contentsOfFile: "/proc/\(self.agent.process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The agent's peak resident set (`VmHWM`), in megabytes.
    func peakRSSMegabytes() -> Double {
        SoakRun.peakRSSMegabytes(status: "/proc/\(self.agent.process.processIdentifier)/status")
    }

    /// The number of events the agent has stored.
    func eventCount() throws -> Int {
        let reply = try self.client.send("GET", "/v1/agent")
        let agent = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
        return agent?["eventCount"] as? Int ?? 0
    }

    /// Failed event commits the agent reports.
    func failedEventCommits() throws -> Int {
        let reply = try self.client.send("GET", "/v1/agent")
        let agent = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
        return agent?["failedEventCommits"] as? Int ?? -1
    }

    /// Stops the agent gracefully and reads every event from its SQLite store.
    func stopAndReadEvents() throws -> [StoredEvent] {
        self.agent.stop()
        let store = try StateStore(directory: self.directory)
        var events: [StoredEvent] = []
        while true {
            let page = try store.events(after: events.last?.id ?? 0, limit: StateStore.maximumPageSize)
            guard !page.isEmpty else { return events }
            events += page
        }
    }
}

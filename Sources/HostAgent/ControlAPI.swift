// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The control API's JSON routes (documented in `docs/control-api.md`); all need the token.
enum ControlAPI {
    /// A page of events.
    struct EventPage: Codable, Equatable, Sendable {
        var events: [StoredEvent]
        /// The id to pass as `after` for the next page.
        var next: Int64
    }

    /// The agent's own state.
    struct AgentView: Codable, Equatable, Sendable {
        var version: String
        var pid: Int32
        var run: Int64
        var startedAt: Date
        var uptimeSeconds: Double
        var stateDirectory: String
        var vmCount: Int
        var eventCount: Int
        var lastEventId: Int64
        var failedEventCommits: Int
        var connectionsOpen: Int
        var connectionsAccepted: Int
        /// Guest connections closed at once because their VM held its connection limit.
        var connectionsRefused: Int
        var badPackets: [String: Int]
    }

    static func register(on router: HTTPRouter, daemon: HostDaemon) {
        router.add("GET", "/v1/agent") { [weak daemon] _ in
            let daemon = try alive(daemon)
            let summary = try daemon.store.eventSummary()
            let statistics = daemon.rpcServer.statistics
            return .json(
                AgentView(
                    version: HostDaemon.version, pid: getpid(), run: daemon.store.run, startedAt: daemon.startedAt,
                    uptimeSeconds: Date().timeIntervalSince(daemon.startedAt), stateDirectory: daemon.stateDirectory,
                    vmCount: daemon.vmNames.count, eventCount: summary.count, lastEventId: summary.lastID,
                    failedEventCommits: daemon.eventSink.failedCommits,
                    connectionsOpen: statistics.connectionsOpen, connectionsAccepted: statistics.connectionsAccepted,
                    connectionsRefused: statistics.connectionsRefused,
                    badPackets: Dictionary(
                        uniqueKeysWithValues: statistics.badPackets.map { ($0.key.rawValue, $0.value) })
                ))
        }
        router.add("POST", "/v1/reload") { [weak daemon] _ in
            do {
                return .json(try alive(daemon).reload())
            } catch let error as HostConfigurationError {
                throw HTTPError(status: 422, message: error.description)
            }
        }
        router.add("GET", "/v1/vms") { [weak daemon] _ in
            .json(["vms": try alive(daemon).statuses()])
        }
        router.add("POST", "/v1/vms") { [weak daemon] request in
            let daemon = try alive(daemon)
            let definition = try request.decodeBody(VMDefinition.self)
            try checked { try daemon.addVM(definition) }
            return .json(try vm(definition.name, in: daemon), status: 201)
        }
        router.add("GET", "/v1/vms/{name}") { [weak daemon] request in
            .json(try vm(request.pathParameters["name"] ?? "", in: try alive(daemon)))
        }
        router.add("PUT", "/v1/vms/{name}") { [weak daemon] request in
            let daemon = try alive(daemon)
            let name = request.pathParameters["name"] ?? ""
            let definition = try request.decodeBody(VMDefinition.self)
            guard definition.name == name else {
                throw HTTPError(status: 400, message: "the body names VM \(definition.name), the path \(name)")
            }
            try checked { try daemon.updateVM(definition) }
            return .json(try vm(name, in: daemon))
        }
        router.add("DELETE", "/v1/vms/{name}") { [weak daemon] request in
            let name = request.pathParameters["name"] ?? ""
            try alive(daemon).removeVM(named: name)
            return .json(["removed": name])
        }
        router.add("PUT", "/v1/vms/{name}/statistics") { [weak daemon] request in
            try setStatistics(request, daemon: try alive(daemon), merging: false)
        }
        router.add("PATCH", "/v1/vms/{name}/statistics") { [weak daemon] request in
            try setStatistics(request, daemon: try alive(daemon), merging: true)
        }
        router.add("POST", "/v1/vms/{name}/faults") { [weak daemon] request in
            let fault = try request.decodeBody(HostFault.self)
            return .json(try alive(daemon).inject(fault, intoVM: request.pathParameters["name"] ?? ""))
        }
        router.add("GET", "/v1/events") { [weak daemon] request in
            let daemon = try alive(daemon)
            let after = try request.integerQuery("after", default: 0)
            let limit = try request.integerQuery("limit", default: 100)
            guard after >= 0, (1...Int64(StateStore.maximumPageSize)).contains(limit) else {
                throw HTTPError(
                    status: 400, message: "after must be at least 0 and limit 1 to \(StateStore.maximumPageSize)")
            }
            let events = try daemon.store.events(
                after: after, limit: Int(limit), vmName: request.query["vm"], kind: request.query["kind"])
            return .json(EventPage(events: events, next: events.last?.id ?? after))
        }
    }

    private static func alive(_ daemon: HostDaemon?) throws -> HostDaemon {
        guard let daemon else { throw HTTPError(status: 503, message: "the agent is stopping") }
        return daemon
    }

    private static func vm(_ name: String, in daemon: HostDaemon) throws -> VMStatusView {
        guard let view = daemon.status(ofVM: name) else { throw HTTPError(status: 404, message: "no VM named \(name)") }
        return view
    }

    /// Runs a VM change, turning a bad definition or a failed socket into 400 and 409.
    private static func checked(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as VMDefinitionError {
            throw HTTPError(status: 400, message: error.description)
        } catch let error as RPCServerError {
            throw HTTPError(status: 409, message: error.description)
        }
    }

    private static func setStatistics(_ request: HTTPRequest, daemon: HostDaemon, merging: Bool) throws -> HTTPResponse
    {
        let name = request.pathParameters["name"] ?? ""
        guard var definition = daemon.definition(ofVM: name) else {
            throw HTTPError(status: 404, message: "no VM named \(name)")
        }
        let body = try request.decodeBody(JSONValue.self)
        var document = body
        if merging, let current = try? JSONValue.from(definition.statistics ?? VMStatisticsConfiguration()) {
            document = current.merging(body)
        }
        let statistics: VMStatisticsConfiguration
        do {
            statistics = try VMStatisticsConfiguration.decodeUnchecked(try document.encoded(), path: "body")
            try statistics.validate()
        } catch {
            throw HTTPError(status: 400, message: "\(error)")
        }
        definition.statistics = statistics
        try daemon.updateVM(definition)
        return .json(try vm(name, in: daemon))
    }
}

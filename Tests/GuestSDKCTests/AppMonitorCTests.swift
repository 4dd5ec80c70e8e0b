// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

@Suite("libappmonitor from C: the §7.2 mapping of every outcome")
struct AppMonitorCTests {
    static func run(_ calls: [String], environment: [String: String]) throws -> ProcessResult {
        let libraries = try CLibraries.shared.get()
        let program = try libraries.program(
            "Tests/GuestSDKCTests/Programs/appmonitor-calls.c", flags: ["-lappmonitorlib"])
        return try ProcessRunner.run([program.path] + calls, environment: environment)
    }

    @Test func hostRepliesMapToTheLibraryErrors() throws {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("app")
        let result = try Self.run(
            [
                "markActive", "isEnabled", "status", "enable", "isEnabled", "markActive", "status", "post:appStateOk",
                "post:bogus", "post:NULL", "disable", "status", "free:NULL",
            ], environment: libraries.environment(socket: socket))
        #expect(result.status == 0, "\(result)")
        #expect(
            result.lines == [
                "markActive: 1", "isEnabled: 0", "status: gray", "enable: 0", "isEnabled: 1", "markActive: 0",
                "status: green", "post:appStateOk: 0", "post:bogus: 1", "post:NULL: 1", "disable: 0", "status: gray",
                "free:NULL: ok",
            ])
        #expect(host.appState(ofVM: "app") == "appStateOk")
    }

    @Test func hostWithoutAppMonitoringAnswersNotSupported() throws {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let bare = Router()
        try host.server.addVM(VMEndpointConfiguration(name: "bare"), router: bare)
        let result = try Self.run(
            ["enable", "markActive", "isEnabled", "status"],
            environment: libraries.environment(socket: host.server.socketPath(forVM: "bare")))
        #expect(result.lines == ["enable: 4", "markActive: 4", "isEnabled: 0", "status: (NULL)"], "\(result)")
    }

    @Test func unreachableHostAnswersNotEnabled() throws {
        let libraries = try CLibraries.shared.get()
        let missing = libraries.workDirectory.appendingPathComponent("no-such-host.sock").path
        let result = try Self.run(
            ["enable", "markActive", "isEnabled", "status"], environment: libraries.environment(socket: missing))
        #expect(result.lines == ["enable: 3", "markActive: 3", "isEnabled: 0", "status: (NULL)"], "\(result)")
    }

    @Test func malformedEndpointAnswersNotEnabled() throws {
        let libraries = try CLibraries.shared.get()
        var environment = libraries.environment(socket: nil)
        environment["GUESTSDK_RPC"] = "carrier-pigeon:1"
        let result = try Self.run(["enable", "markActive", "isEnabled", "status"], environment: environment)
        #expect(result.lines == ["enable: 3", "markActive: 3", "isEnabled: 0", "status: (NULL)"], "\(result)")
    }

    @Test func noHypervisorAndNoEndpointAnswersNotRunningInVM() throws {
        let libraries = try CLibraries.shared.get()
        var environment = libraries.environment(socket: nil)
        environment["GUESTSDK_RPC"] = "auto"
        let result = try Self.run(["enable", "markActive", "isEnabled", "status", "disable"], environment: environment)
        #expect(
            result.lines == ["enable: 2", "markActive: 2", "isEnabled: 0", "status: (NULL)", "disable: 2"],
            "\(result)")
    }

    @Test func oneConnectionServesEveryCallFromEnableToDisable() throws {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("app")
        let result = try Self.run(
            ["enable", "markActive", "markActive", "status", "markActive", "disable"],
            environment: libraries.environment(socket: socket))
        #expect(result.status == 0, "\(result)")
        #expect(host.server.statistics.connectionsAccepted == 1)
        #expect(host.server.statistics.requestsByVM["app"] == 6)
    }

    @Test func eachCallOpensItsOwnConnectionWhileNotHeartbeating() throws {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("app")
        let result = try Self.run(
            ["isEnabled", "status", "post:appStateOk"], environment: libraries.environment(socket: socket))
        #expect(result.lines == ["isEnabled: 0", "status: gray", "post:appStateOk: 0"], "\(result)")
        #expect(host.server.statistics.connectionsAccepted == 3)
    }
}

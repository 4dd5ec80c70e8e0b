// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

/// Numbers the agent cannot use are refused with 400 and a message naming the key, the range and
/// the value, never as "invalid JSON body".
@Suite("Control API: settings out of range")
struct ControlAPISettingRangeTests {
    /// One request whose body holds a number out of range, and the error it must get.
    struct Case: Sendable, CustomTestStringConvertible {
        var method = "POST"
        var path = "/v1/vms"
        var body: String
        var message: String

        var testDescription: String { "\(self.method) \(self.path) \(self.body)" }
    }

    static let haSeconds = "a whole number of seconds"
    static let cases: [Case] = [
        Case(
            body: #"{"name":"x","ha":{"failureInterval":0}}"#,
            message: "ha.failureInterval must be \(haSeconds) from 1 to 86400, not 0"),
        Case(
            body: #"{"name":"x","ha":{"failureInterval":1e30}}"#,
            message: "ha.failureInterval must be \(haSeconds) from 1 to 86400, not 1e+30"),
        Case(
            body: #"{"name":"x","ha":{"failureInterval":2.5}}"#,
            message: "ha.failureInterval must be \(haSeconds) from 1 to 86400, not 2.5"),
        Case(
            body: #"{"name":"x","ha":{"minUpTime":1000000000000}}"#,
            message: "ha.minUpTime must be \(haSeconds) from 0 to 86400, not 1000000000000"),
        Case(
            body: #"{"name":"x","ha":{"maxFailures":100000}}"#,
            message: "ha.maxFailures must be a whole number from 0 to 10000, not 100000"),
        Case(
            body: #"{"name":"x","ha":{"maxFailureWindow":0}}"#,
            message: "ha.maxFailureWindow must be -1 (no window) or \(haSeconds) from 1 to 2592000, not 0"),
        Case(
            method: "PUT", path: "/v1/vms/vm1", body: #"{"name":"vm1","ha":{"maxFailureWindow":9e18}}"#,
            message: "ha.maxFailureWindow must be -1 (no window) or \(haSeconds) from 1 to 2592000, not 9e+18"),
        Case(
            body: #"{"name":"x","statistics":{"refreshIntervalSeconds":0}}"#,
            message: "statistics.refreshIntervalSeconds must be a number of seconds from 0.1 to 3600, not 0"),
        Case(
            body: #"{"name":"x","statistics":{"refreshIntervalSeconds":-1}}"#,
            message: "statistics.refreshIntervalSeconds must be a number of seconds from 0.1 to 3600, not -1"),
        Case(
            body: #"{"name":"x","statistics":{"refreshIntervalSeconds":1e-300}}"#,
            message: "statistics.refreshIntervalSeconds must be a number of seconds from 0.1 to 3600, not 1e-300"),
        Case(
            body: #"{"name":"x","statistics":{"host":{"statisticCount":100000}}}"#,
            message: "statistics.host.statisticCount must be a whole number from 1 to 38, not 100000"),
        Case(
            body: #"{"name":"x","resetAction":{"program":"/bin/true","timeoutSeconds":1e300}}"#,
            message: "resetAction.timeoutSeconds must be a number of seconds from 0.001 to 3600, not 1e+300"),
        Case(
            method: "PATCH", path: "/v1/vms/vm1/statistics", body: #"{"refreshIntervalSeconds":0}"#,
            message: "refreshIntervalSeconds must be a number of seconds from 0.1 to 3600, not 0"),
        Case(
            method: "PUT", path: "/v1/vms/vm1/statistics", body: #"{"host":{"statisticCount":0}}"#,
            message: "host.statisticCount must be a whole number from 1 to 38, not 0"),
    ]

    @Test(arguments: cases)
    func aNumberOutOfRangeIsRefusedNamingTheKeyTheRangeAndTheValue(_ example: Case) throws {
        let fixture = try DaemonFixture()
        let before = fixture.daemon.definition(ofVM: "vm1")

        let response = try fixture.controlClient().send(example.method, example.path, body: Data(example.body.utf8))

        #expect(response.status == 400)
        let body = try JSONSerialization.jsonObject(with: response.body) as? [String: String]
        #expect(body == ["error": example.message])
        #expect(fixture.daemon.vmNames == ["vm1"])
        #expect(fixture.daemon.definition(ofVM: "vm1") == before)
    }

    @Test func numbersAtTheEdgesOfTheirRangesAreAccepted() throws {
        let fixture = try DaemonFixture()
        let body = """
            {"name":"edge","ha":{"failureInterval":86400,"minUpTime":0,"maxFailures":10000,"maxFailureWindow":-1},
             "statistics":{"refreshIntervalSeconds":0.1,"host":{"statisticCount":1}},
             "resetAction":{"program":"/bin/true","timeoutSeconds":3600}}
            """

        let response = try fixture.controlClient().send("POST", "/v1/vms", body: Data(body.utf8))

        #expect(response.status == 201, "\(response.text)")
        let definition = try #require(fixture.daemon.definition(ofVM: "edge"))
        #expect(definition.settings.failureInterval == 86400)
        #expect(definition.settings.maxFailureWindow == -1)
        #expect(definition.statistics?.refreshInterval == 0.1)
    }

    @Test func settingsBuiltInSwiftAreCheckedByValidate() {
        let definition = VMDefinition(name: "a", settings: HASettings(failureInterval: 0), preset: nil)

        #expect(
            throws: VMDefinitionError(
                vm: "a", reason: "ha.failureInterval must be a whole number of seconds from 1 to 86400, not 0")
        ) {
            try definition.validate()
        }
    }
}

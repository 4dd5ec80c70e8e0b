// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

/// The config file and VM definitions: defaults, presets, overrides, and errors that name the key.
@Suite("Host configuration")
struct HostConfigurationTests {
    private func decode(_ json: String) throws -> HostConfiguration {
        try HostConfiguration.decode(Data(json.utf8), path: "test.json", defaultStateDirectory: "/state")
    }

    @Test func anEmptyFileUsesEveryDefault() throws {
        let configuration = try self.decode("{}")

        #expect(configuration.stateDirectory == "/state")
        #expect(configuration.control == HostConfiguration.Control(addresses: ["127.0.0.1"], port: 0))
        #expect(configuration.vms.isEmpty)
        #expect(configuration.durability == .process)
    }

    @Test func aVMWithOnlyANameGetsTheHighPresetWithAppMonitoring() throws {
        let vm = try #require(try self.decode(#"{"vms":[{"name":"web01"}]}"#).vms.first)

        #expect(vm.settings == .preset(.high))
        #expect(vm.settings.vmMonitoring == .vmAndAppMonitoring)
        #expect(vm.resetAction == .simulated)
        #expect(vm.appMonitoringSupported)
    }

    @Test func aPresetWithAnOverrideKeepsTheOtherPresetValues() throws {
        let vm = try #require(
            try self.decode(#"{"vms":[{"name":"db","ha":{"preset":"low","failureInterval":10}}]}"#).vms.first)

        #expect(
            vm.settings
                == HASettings(
                    vmMonitoring: .vmAndAppMonitoring, failureInterval: 10, minUpTime: 480, maxFailures: 3,
                    maxFailureWindow: 604_800))
        #expect(vm.preset == nil, "overridden settings are custom")
    }

    @Test func aProgramResetActionKeepsItsArguments() throws {
        let json = #"{"vms":[{"name":"k1","resetAction":{"program":"/usr/bin/virsh","arguments":["reset"]}}]}"#

        let vm = try #require(try self.decode(json).vms.first)

        #expect(vm.resetAction == .program(path: "/usr/bin/virsh", arguments: ["reset"], timeoutSeconds: 30))
    }

    @Test func partialStatisticsKeepTheOtherDefaults() throws {
        let json = #"{"vms":[{"name":"s","statistics":{"host":{"protocol":"v2"}}}]}"#

        let vm = try #require(try self.decode(json).vms.first)

        #expect(vm.statistics?.host.protocolVersion == .v2)
        #expect(vm.statistics?.host.isHostInfoEnabled == true)
    }

    @Test func anUnknownKeyIsAnErrorNamingIt() {
        #expect(throws: HostConfigurationError.self) { try self.decode(#"{"vms":[{"name":"a","secure":true}]}"#) }
        do {
            _ = try self.decode(#"{"vms":[{"name":"a","ha":{"failureIntervall":3}}]}"#)
            Issue.record("decoded a typo")
        } catch {
            #expect("\(error)".hasPrefix("config test.json: vms.[0].ha.failureIntervall: unknown key failureIntervall"))
        }
    }

    @Test func aNumberOutOfRangeNamesItsKeyPathTheRangeAndTheValue() {
        let reason = "vms.[0].ha.maxFailures must be a whole number from 0 to 10000, not 1000000000"

        #expect(throws: HostConfigurationError(path: "test.json", reason: reason)) {
            try self.decode(#"{"vms":[{"name":"a","ha":{"maxFailures":1e9}}]}"#)
        }
    }

    @Test func aStatisticsNumberOutOfRangeNamesItsKeyPath() {
        let reason = "vms.[1].statistics.refreshIntervalSeconds must be a number of seconds from 0.1 to 3600, not 0"

        #expect(throws: HostConfigurationError(path: "test.json", reason: reason)) {
            try self.decode(#"{"vms":[{"name":"a"},{"name":"b","statistics":{"refreshIntervalSeconds":0}}]}"#)
        }
    }

    @Test func aResetDelayOutOfRangeIsAnError() {
        let reason = "resetDelaySeconds must be a number of seconds from 0 to 3600, not 1e+300"

        #expect(throws: HostConfigurationError(path: "test.json", reason: reason)) {
            try self.decode(#"{"resetDelaySeconds":1e300}"#)
        }
    }

    @Test func aVMDefinedTwiceIsAnError() {
        #expect(throws: HostConfigurationError(path: "test.json", reason: "VM a is defined twice")) {
            try self.decode(#"{"vms":[{"name":"a"},{"name":"a"}]}"#)
        }
    }

    @Test(arguments: ["", "..", "a/b", "white space"])
    func aNameThatCannotNameASocketIsAnError(name: String) {
        #expect(throws: HostConfigurationError.self) { try self.decode(#"{"vms":[{"name":"\#(name)"}]}"#) }
    }

    @Test func aDefinitionSurvivesAnEncodeAndDecodeRoundTrip() throws {
        var vm = VMDefinition(name: "rt", settings: .preset(.medium), preset: .medium)
        vm.secureChannel = true
        vm.vsockCID = 7
        vm.resetAction = .program(path: "/bin/true", arguments: ["-x"], timeoutSeconds: 5)
        var statistics = VMStatisticsConfiguration()
        statistics.host.isGuestLibEnabled = false
        vm.statistics = statistics

        let decoded = try JSONDecoder().decode(VMDefinition.self, from: try JSONEncoder().encode(vm))

        #expect(decoded == vm)
    }
}

extension HostConfigurationTests {
    @Test func theExampleConfigInPackagingDecodes() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("packaging/config.example.json").path

        let configuration = try HostConfiguration.load(contentsOf: path, defaultStateDirectory: "/state")

        #expect(configuration.vms.map(\.name) == ["web01", "db01", "kvm1"])
        #expect(configuration.control.port == 8650)
    }
}

extension HostConfigurationTests {
    @Test func aStatisticsProfileIsTheBaseForExplicitStatistics() throws {
        let json =
            #"{"vms":[{"name":"p","statisticsProfile":"host-info-off","statistics":{"values":{"cpuLimitMHz":2000}}}]}"#

        let vm = try #require(try self.decodeForExtension(json).vms.first)

        #expect(vm.statisticsProfile == .hostInfoOff)
        #expect(vm.statistics?.host.isHostInfoEnabled == false)
        #expect(vm.statistics?.values.cpuLimitMHz == 2000)
    }

    @Test func aStatisticOfOneIsANumberNotABoolean() throws {
        let json = #"{"vms":[{"name":"one","statistics":{"values":{"virtualCPUCount":1,"cpuUsage":0}}}]}"#

        let vm = try #require(try self.decodeForExtension(json).vms.first)

        #expect(vm.statistics?.values.virtualCPUCount == 1)
        #expect(vm.statistics?.values.cpuUsage == 0)
    }

    @Test(arguments: StatisticsProfile.allCases)
    func everyProfileSurvivesARoundTrip(profile: StatisticsProfile) throws {
        let json = #"{"name":"r","statisticsProfile":"\#(profile.rawValue)"}"#
        let vm = try JSONDecoder().decode(VMDefinition.self, from: Data(json.utf8))

        let decoded = try JSONDecoder().decode(VMDefinition.self, from: try JSONEncoder().encode(vm))

        #expect(decoded == vm)
        #expect(vm.statistics == profile.configuration)
    }

    private func decodeForExtension(_ json: String) throws -> HostConfiguration {
        try HostConfiguration.decode(Data(json.utf8), path: "test.json", defaultStateDirectory: "/state")
    }
}

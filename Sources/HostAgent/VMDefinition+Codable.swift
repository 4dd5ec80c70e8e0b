// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

extension VMDefinition: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, socketOwner, secureChannel, faultTolerant, vsockCID, ha, appMonitoringSupported
        case statisticsProfile, statistics, statisticsFile, resetAction
    }

    enum PolicyKeys: String, CodingKey, CaseIterable {
        case preset, vmMonitoring, failureInterval, minUpTime, maxFailures, maxFailureWindow
    }

    enum ResetActionKeys: String, CodingKey, CaseIterable {
        case kind, program, arguments, timeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        try AnyCodingKey.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name))
        self.socketOwner = try container.decodeIfPresent(SocketOwnerSpecification.self, forKey: .socketOwner)
        self.secureChannel = try container.decodeIfPresent(Bool.self, forKey: .secureChannel) ?? false
        self.faultTolerant = try container.decodeIfPresent(Bool.self, forKey: .faultTolerant) ?? false
        self.vsockCID = try container.decodeIfPresent(UInt32.self, forKey: .vsockCID)
        self.appMonitoringSupported = try container.decodeIfPresent(Bool.self, forKey: .appMonitoringSupported) ?? true
        self.statisticsFile = try container.decodeIfPresent(String.self, forKey: .statisticsFile)
        if container.contains(.ha) {
            let policyDecoder = try container.superDecoder(forKey: .ha)
            try AnyCodingKey.rejectUnknownKeys(in: policyDecoder, known: PolicyKeys.allCases.map(\.rawValue))
            let policy = try policyDecoder.container(keyedBy: PolicyKeys.self)
            self.preset = try policy.decodeIfPresent(HASettings.Sensitivity.self, forKey: .preset)
            var settings = HASettings.preset(self.preset ?? .high)
            if let value = try policy.decodeIfPresent(HASettings.VMMonitoring.self, forKey: .vmMonitoring) {
                settings.vmMonitoring = value
            }
            for setting in HASettings.NumericSetting.allCases {
                try Self.decode(setting, from: policy, into: &settings)
            }
            self.settings = settings
            if self.preset != nil, settings != .preset(self.preset!) { self.preset = nil }
        }
        self.statisticsProfile = try container.decodeIfPresent(StatisticsProfile.self, forKey: .statisticsProfile)
        let overrides = try container.decodeIfPresent(JSONValue.self, forKey: .statistics)
        if self.statisticsProfile != nil || overrides != nil {
            let statistics: VMStatisticsConfiguration
            do {
                var document = try JSONValue.from(self.statisticsProfile?.configuration ?? VMStatisticsConfiguration())
                if let overrides { document = document.merging(overrides) }
                statistics = try VMStatisticsConfiguration.decodeUnchecked(try document.encoded(), path: "statistics")
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: .statistics, in: container, debugDescription: "\(error)")
            }
            let statisticsKey = SettingRangeError.keyPath(container.codingPath + [CodingKeys.statistics])
            try statistics.validate(keyPrefix: statisticsKey + ".")
            self.statistics = statistics
        }
        if container.contains(.resetAction) {
            let actionDecoder = try container.superDecoder(forKey: .resetAction)
            try AnyCodingKey.rejectUnknownKeys(in: actionDecoder, known: ResetActionKeys.allCases.map(\.rawValue))
            let action = try actionDecoder.container(keyedBy: ResetActionKeys.self)
            let kind = try action.decodeIfPresent(String.self, forKey: .kind)
            if let program = try action.decodeIfPresent(String.self, forKey: .program), kind != "simulated" {
                let timeout = try action.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 30
                let timeoutKey = SettingRangeError.keyPath(action.codingPath + [ResetActionKeys.timeoutSeconds])
                try SettingRangeError.check(
                    timeout, in: ResetActionSpecification.timeoutRange, key: timeoutKey, unit: "seconds")
                self.resetAction = .program(
                    path: program, arguments: try action.decodeIfPresent([String].self, forKey: .arguments) ?? [],
                    timeoutSeconds: timeout)
            } else if kind == nil || kind == "simulated" {
                self.resetAction = .simulated
            } else {
                throw DecodingError.dataCorruptedError(
                    forKey: .kind, in: action,
                    debugDescription: "kind must be simulated or program (with a program path)")
            }
        }
    }

    /// Reads one numeric HA setting when the policy names it; JSON may write it as any number.
    ///
    /// - Throws: `SettingRangeError` naming the key path when the value is out of its range.
    private static func decode(
        _ setting: HASettings.NumericSetting, from policy: KeyedDecodingContainer<PolicyKeys>,
        into settings: inout HASettings
    ) throws {
        guard let key = PolicyKeys(rawValue: setting.rawValue),
            let value = try policy.decodeIfPresent(Double.self, forKey: key)
        else { return }

        settings[setting] = try setting.checked(value, key: SettingRangeError.keyPath(policy.codingPath + [key]))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .name)
        try container.encodeIfPresent(self.socketOwner, forKey: .socketOwner)
        try container.encode(self.secureChannel, forKey: .secureChannel)
        try container.encode(self.faultTolerant, forKey: .faultTolerant)
        try container.encodeIfPresent(self.vsockCID, forKey: .vsockCID)
        try container.encode(self.appMonitoringSupported, forKey: .appMonitoringSupported)
        var policy = container.nestedContainer(keyedBy: PolicyKeys.self, forKey: .ha)
        try policy.encodeIfPresent(self.preset, forKey: .preset)
        try policy.encode(self.settings.vmMonitoring, forKey: .vmMonitoring)
        try policy.encode(self.settings.failureInterval, forKey: .failureInterval)
        try policy.encode(self.settings.minUpTime, forKey: .minUpTime)
        try policy.encode(self.settings.maxFailures, forKey: .maxFailures)
        try policy.encode(self.settings.maxFailureWindow, forKey: .maxFailureWindow)
        try container.encodeIfPresent(self.statisticsProfile, forKey: .statisticsProfile)
        try container.encodeIfPresent(self.statistics, forKey: .statistics)
        try container.encodeIfPresent(self.statisticsFile, forKey: .statisticsFile)
        var action = container.nestedContainer(keyedBy: ResetActionKeys.self, forKey: .resetAction)
        switch self.resetAction {
        case .simulated:
            try action.encode("simulated", forKey: .kind)
        case .program(let path, let arguments, let timeoutSeconds):
            try action.encode("program", forKey: .kind)
            try action.encode(path, forKey: .program)
            try action.encode(arguments, forKey: .arguments)
            try action.encode(timeoutSeconds, forKey: .timeoutSeconds)
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

extension HostConfiguration: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case stateDirectory, control, vsock, resetDelaySeconds, durability, vms
    }

    public init(from decoder: any Decoder) throws {
        try AnyCodingKey.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let fallback = decoder.userInfo[Self.defaultStateDirectoryKey] as? String ?? Self.defaultStateDirectory
        self.init(stateDirectory: try container.decodeIfPresent(String.self, forKey: .stateDirectory) ?? fallback)
        if container.contains(.control) {
            let controlDecoder = try container.superDecoder(forKey: .control)
            try AnyCodingKey.rejectUnknownKeys(in: controlDecoder, known: ["addresses", "port"])
            let control = try controlDecoder.container(keyedBy: AnyCodingKey.self)
            self.control.addresses =
                try control.decodeIfPresent([String].self, forKey: AnyCodingKey(stringValue: "addresses"))
                ?? self.control.addresses
            self.control.port =
                try control.decodeIfPresent(UInt16.self, forKey: AnyCodingKey(stringValue: "port")) ?? 0
        }
        self.vsock = try container.decodeIfPresent(Bool.self, forKey: .vsock) ?? false
        self.resetDelaySeconds = try container.decodeIfPresent(Double.self, forKey: .resetDelaySeconds) ?? 1
        try SettingRangeError.check(
            self.resetDelaySeconds, in: Self.resetDelayRange, key: CodingKeys.resetDelaySeconds.rawValue,
            unit: "seconds")
        self.durability = try container.decodeIfPresent(Database.Durability.self, forKey: .durability) ?? .process
        self.vms = try container.decodeIfPresent([VMDefinition].self, forKey: .vms) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.stateDirectory, forKey: .stateDirectory)
        try container.encode(self.control, forKey: .control)
        try container.encode(self.vsock, forKey: .vsock)
        try container.encode(self.resetDelaySeconds, forKey: .resetDelaySeconds)
        try container.encode(self.durability, forKey: .durability)
        try container.encode(self.vms, forKey: .vms)
    }
}

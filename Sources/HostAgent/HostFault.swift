// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// Something the control API can do to a VM to show its guest what a real host would make it see.
///
/// As JSON, `{"fault": "<name>", ...}` with these names and arguments:
/// `vmotion`, `suspend-resume`, `snapshot-revert` (each starts a new statistics session; a vMotion
/// also turns the app status gray and clears the reset counters); `protocol` with `"version":
/// "v2"` or `"v3"`; `guestlib` with `"enabled": bool`; `host-info` with `"enabled": bool`;
/// `app-monitoring` with `"supported": bool`; `delay` with `"milliseconds": n` (0 ends it);
/// `drop-connections`; `hang` with `"enabled": bool` (default true); `clear` (no delay, no hang).
public enum HostFault: Equatable, Sendable {
    /// The VM moves to another host.
    case vMotion
    /// The VM is suspended and resumed.
    case suspendResume
    /// The VM is reverted to a snapshot.
    case snapshotRevert
    /// The host answers `guestlib.info.get` as a V3 or a V2-only host.
    case hostProtocol(GuestLibHostBehaviour.ProtocolVersion)
    /// guestlib on or off (`isolation.tools.guestlibGetInfo.disable`).
    case guestLib(enabled: Bool)
    /// Host info on or off (`tools.guestlib.enableHostInfo`).
    case hostInfo(enabled: Bool)
    /// App monitoring supported or answered with `0 Unknown command`.
    case appMonitoring(supported: Bool)
    /// Every reply waits this long; 0 ends the delay.
    case delay(milliseconds: Int)
    /// Every open connection of the VM is closed.
    case dropConnections
    /// Requests are read and never answered, or answered again.
    case hang(Bool)
    /// No delay and no hang.
    case clear

    /// The fault's JSON name, such as `suspend-resume`.
    public var name: String {
        switch self {
        case .vMotion: "vmotion"
        case .suspendResume: "suspend-resume"
        case .snapshotRevert: "snapshot-revert"
        case .hostProtocol: "protocol"
        case .guestLib: "guestlib"
        case .hostInfo: "host-info"
        case .appMonitoring: "app-monitoring"
        case .delay: "delay"
        case .dropConnections: "drop-connections"
        case .hang: "hang"
        case .clear: "clear"
        }
    }

    /// Whether the fault changes the VM's definition (and so survives a restart); network faults
    /// (delay, hang, dropped connections) and session changes do not.
    public var changesDefinition: Bool {
        switch self {
        case .hostProtocol, .guestLib, .hostInfo, .appMonitoring: true
        default: false
        }
    }
}

extension HostFault: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case fault, version, enabled, supported, milliseconds
    }

    public init(from decoder: any Decoder) throws {
        try AnyCodingKey.rejectUnknownKeys(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .fault)
        func flag(_ key: CodingKeys, default value: Bool? = nil) throws -> Bool {
            if let value = try container.decodeIfPresent(Bool.self, forKey: key) { return value }
            if let value { return value }
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: container.codingPath, debugDescription: "\(name) needs \(key)"))
        }
        switch name {
        case "vmotion": self = .vMotion
        case "suspend-resume": self = .suspendResume
        case "snapshot-revert": self = .snapshotRevert
        case "protocol":
            self = .hostProtocol(try container.decode(GuestLibHostBehaviour.ProtocolVersion.self, forKey: .version))
        case "guestlib": self = .guestLib(enabled: try flag(.enabled))
        case "host-info": self = .hostInfo(enabled: try flag(.enabled))
        case "app-monitoring": self = .appMonitoring(supported: try flag(.supported))
        case "delay":
            let milliseconds = try container.decode(Int.self, forKey: .milliseconds)
            guard (0...3_600_000).contains(milliseconds) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .milliseconds, in: container, debugDescription: "must be 0 to 3600000")
            }
            self = .delay(milliseconds: milliseconds)
        case "drop-connections": self = .dropConnections
        case "hang": self = .hang(try flag(.enabled, default: true))
        case "clear": self = .clear
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .fault, in: container,
                debugDescription: "unknown fault \(name); known: vmotion, suspend-resume, snapshot-revert, protocol,"
                    + " guestlib, host-info, app-monitoring, delay, drop-connections, hang, clear")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .fault)
        switch self {
        case .hostProtocol(let version): try container.encode(version, forKey: .version)
        case .guestLib(let enabled), .hostInfo(let enabled), .hang(let enabled):
            try container.encode(enabled, forKey: .enabled)
        case .appMonitoring(let supported): try container.encode(supported, forKey: .supported)
        case .delay(let milliseconds): try container.encode(milliseconds, forKey: .milliseconds)
        default: break
        }
    }
}

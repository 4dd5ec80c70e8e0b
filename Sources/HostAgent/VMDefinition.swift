// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc

/// Everything that defines one simulated VM: its endpoint, its HA policy, its statistics and
/// what a reset does. The same JSON object appears in the config file, in the control API and
/// in the state database.
///
/// ```json
/// {
///   "name": "web01",
///   "socketOwner": { "user": "alice" },
///   "secureChannel": false, "faultTolerant": false,
///   "ha": { "preset": "high", "failureInterval": 10 },
///   "statisticsProfile": "host-info-off", "statistics": { "values": { "cpuLimitMHz": 2000 } },
///   "resetAction": { "program": "/usr/bin/virsh", "arguments": ["reset"], "timeoutSeconds": 30 }
/// }
/// ```
///
/// Only `name` is required. `ha` starts from the High preset with application monitoring on;
/// `preset` picks another preset and any explicit setting overrides the preset's value.
public struct VMDefinition: Equatable, Sendable {
    /// The VM's name; its socket is `<state-dir>/vms/<name>.sock`.
    public var name: String
    /// Who owns the VM's socket; the agent's own user when nil.
    public var socketOwner: SocketOwnerSpecification?
    /// Whether only privileged peers are answered.
    public var secureChannel: Bool = false
    /// Whether the VM is fault tolerant (which turns the secure channel off).
    public var faultTolerant: Bool = false
    /// The guest's vsock context id, for a KVM guest reached over vsock.
    public var vsockCID: UInt32?
    /// The preset the HA settings started from, when one was named.
    public var preset: HASettings.Sensitivity?
    /// The HA settings.
    public var settings: HASettings = .preset(.high)
    /// False makes the host answer `0 Unknown command` to the VM's app monitoring commands.
    public var appMonitoringSupported: Bool = true
    /// The profile the statistics started from, when one was named.
    public var statisticsProfile: StatisticsProfile?
    /// The VM's statistics and host behaviour; the defaults of a V3 host when nil.
    public var statistics: VMStatisticsConfiguration?
    /// A statistics file read at start and re-read when it changes; wins over `statistics`.
    public var statisticsFile: String?
    /// What a reset does.
    public var resetAction: ResetActionSpecification = .simulated

    /// Creates a definition with the defaults described on the type.
    public init(name: String, settings: HASettings = .preset(.high), preset: HASettings.Sensitivity? = .high) {
        self.name = name
        self.settings = settings
        self.preset = preset
    }

    /// The RPC endpoint settings.
    ///
    /// - Throws: `VMDefinitionError` when the socket owner names an unknown user.
    public func endpointConfiguration() throws -> VMEndpointConfiguration {
        VMEndpointConfiguration(
            name: self.name, socketOwner: try self.socketOwner?.resolved() ?? .currentUser,
            secureChannel: self.secureChannel, faultTolerant: self.faultTolerant, vsockCID: self.vsockCID)
    }

    /// The reset action to run for this VM.
    public func makeResetAction() -> any ResetAction {
        switch self.resetAction {
        case .simulated:
            return SimulatedResetAction()
        case .program(let path, let arguments, let timeoutSeconds):
            return ProgramResetAction(
                executable: path, arguments: arguments, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
        }
    }

    /// Checks what decoding cannot: a usable name, settings within their ranges, an absolute
    /// program path.
    ///
    /// - Throws: `VMDefinitionError` saying what is wrong; for a number out of range it names the
    ///   key, the range and the value.
    public func validate() throws {
        let endpoint = VMEndpointConfiguration(name: self.name)
        guard endpoint.hasValidName, self.name.utf8.count <= 64,
            self.name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
        else {
            throw VMDefinitionError(
                vm: self.name, reason: "a VM name is 1 to 64 letters, digits, '-', '_' or '.', and not '.' or '..'")
        }
        do {
            try self.settings.validate(keyPrefix: "ha.")
            try self.statistics?.validate(keyPrefix: "statistics.")
            if case .program(_, _, let timeout) = self.resetAction {
                try SettingRangeError.check(
                    timeout, in: ResetActionSpecification.timeoutRange, key: "resetAction.timeoutSeconds",
                    unit: "seconds")
            }
        } catch {
            throw VMDefinitionError(vm: self.name, reason: "\(error)")
        }
        if case .program(let path, _, _) = self.resetAction, !path.hasPrefix("/") {
            throw VMDefinitionError(vm: self.name, reason: "resetAction.program must be an absolute path, not \(path)")
        }
        _ = try self.socketOwner?.resolved()
    }
}

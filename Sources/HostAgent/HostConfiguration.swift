// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The host agent's configuration file: where its state lives, how the control API listens, and
/// the VMs it serves.
///
/// ```json
/// {
///   "stateDirectory": "/var/lib/guestsdk-host",
///   "control": { "addresses": ["127.0.0.1"], "port": 8650 },
///   "vsock": false,
///   "resetDelaySeconds": 1,
///   "durability": "process",
///   "vms": [ { "name": "web01" }, { "name": "db01", "ha": { "preset": "low" } } ]
/// }
/// ```
///
/// Every key is optional; an unknown key is an error. Without a config file the agent serves
/// `defaultVMs` simulated VMs.
public struct HostConfiguration: Equatable, Sendable {
    /// How the control API listens.
    public struct Control: Codable, Equatable, Sendable {
        /// Loopback addresses only: `127.0.0.1` and optionally `::1`.
        public var addresses: [String] = ["127.0.0.1"]
        /// The TCP port; 0 picks a free port, written to `<state-dir>/control.port`.
        public var port: UInt16 = 0

        /// Creates the defaults: `127.0.0.1`, a free port.
        public init(addresses: [String] = ["127.0.0.1"], port: UInt16 = 0) {
            self.addresses = addresses
            self.port = port
        }
    }

    /// The state directory: database, token, port file and VM sockets.
    public var stateDirectory: String
    /// How the control API listens.
    public var control = Control()
    /// Whether to listen on vsock for KVM guests too.
    public var vsock = false
    /// How long a requested reset waits, so that an `appStateOk` can cancel a need-reset.
    public var resetDelaySeconds: Double = 1
    /// The reset delays accepted, in seconds: none to 1 hour.
    public static let resetDelayRange: ClosedRange<Double> = 0...3600
    /// Whether a commit must survive a power loss or only the agent process.
    public var durability: Database.Durability = .process
    /// The VMs the file defines.
    public var vms: [VMDefinition] = []

    /// Creates a configuration with the given state directory and no VMs.
    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// The configuration used without a config file: three simulated VMs, `vm1` to `vm3`, on the
    /// High preset.
    ///
    /// - Parameter stateDirectory: the state directory.
    /// - Returns: the default configuration.
    public static func defaultConfiguration(stateDirectory: String) -> HostConfiguration {
        var configuration = HostConfiguration(stateDirectory: stateDirectory)
        configuration.vms = (1...3).map { VMDefinition(name: "vm\($0)") }
        return configuration
    }

    /// The default state directory: `/var/lib/guestsdk-host` for root, else
    /// `$XDG_STATE_HOME/guestsdk-host` or `~/.local/state/guestsdk-host`.
    public static var defaultStateDirectory: String {
        if geteuid() == 0 { return "/var/lib/guestsdk-host" }
        let environment = ProcessInfo.processInfo.environment
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/guestsdk-host" }
        return NSHomeDirectory() + "/.local/state/guestsdk-host"
    }

    /// Reads a config file.
    ///
    /// - Parameters:
    ///   - path: the JSON file.
    ///   - defaultStateDirectory: the state directory when the file names none.
    /// - Returns: the configuration.
    /// - Throws: `HostConfigurationError` naming the file and what is wrong, key path included.
    public static func load(contentsOf path: String, defaultStateDirectory: String) throws -> HostConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HostConfigurationError(path: path, reason: "cannot be read")
        }
        return try self.decode(data, path: path, defaultStateDirectory: defaultStateDirectory)
    }

    /// Decodes the JSON text of a config file and validates every VM.
    ///
    /// - Throws: `HostConfigurationError`.
    public static func decode(_ data: Data, path: String, defaultStateDirectory: String) throws -> HostConfiguration {
        let decoder = JSONDecoder()
        decoder.userInfo[Self.defaultStateDirectoryKey] = defaultStateDirectory
        let configuration: HostConfiguration
        do {
            configuration = try decoder.decode(HostConfiguration.self, from: data)
        } catch let error as SettingRangeError {
            throw HostConfigurationError(path: path, reason: error.description)
        } catch let error as DecodingError {
            throw HostConfigurationError(path: path, reason: HTTPError.describe(error))
        } catch {
            throw HostConfigurationError(path: path, reason: "\(error)")
        }
        var names = Set<String>()
        for vm in configuration.vms {
            do {
                try vm.validate()
            } catch {
                throw HostConfigurationError(path: path, reason: "\(error)")
            }
            guard names.insert(vm.name).inserted else {
                throw HostConfigurationError(path: path, reason: "VM \(vm.name) is defined twice")
            }
        }
        return configuration
    }

    static let defaultStateDirectoryKey = CodingUserInfoKey(rawValue: "defaultStateDirectory")!
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Why a config file cannot be used.
public struct HostConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file.
    public var path: String
    /// What is wrong, with the key path where it is known.
    public var reason: String

    /// Creates an error.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "config \(self.path): \(self.reason)" }
}

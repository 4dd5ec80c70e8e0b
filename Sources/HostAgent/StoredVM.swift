// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// A VM definition as the state store keeps it: the definition's JSON and where it came from.
public struct StoredVM: Equatable, Sendable {
    /// Who defined the VM, which decides what a config reload may change.
    public enum Origin: String, Sendable, Codable {
        /// The config file (or the built-in default): a reload adds, changes and removes it.
        case config
        /// The control API: a reload leaves it alone.
        case api
    }

    /// The VM's name.
    public var name: String
    /// The VM's definition as JSON (`VMDefinition`).
    public var definition: Data
    /// Who defined it.
    public var origin: Origin

    /// Creates a record.
    public init(name: String, definition: Data, origin: Origin) {
        self.name = name
        self.definition = definition
        self.origin = origin
    }
}

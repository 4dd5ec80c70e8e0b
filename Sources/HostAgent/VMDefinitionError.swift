// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Why a VM definition cannot be used.
public struct VMDefinitionError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The VM's name, when known.
    public var vm: String
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    public init(vm: String, reason: String) {
        self.vm = vm
        self.reason = reason
    }

    public var description: String { self.vm.isEmpty ? self.reason : "VM \(self.vm): \(self.reason)" }
}

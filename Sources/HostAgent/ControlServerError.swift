// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Why the control server could not start.
public struct ControlServerError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var reason: String

    /// Creates an error.
    public init(reason: String) {
        self.reason = reason
    }

    /// Creates an error for a failed system call on `address`, reading its errno text now.
    init(address: String, systemCall: String, errno error: Int32) {
        self.reason = "\(address): \(systemCall) failed: \(String(cString: strerror(error))) (errno \(error))"
    }

    public var description: String { "control API: \(self.reason)" }
}

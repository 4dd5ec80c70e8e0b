// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Why the control token could not be created or read.
public struct ControlTokenError: Error, CustomStringConvertible, Sendable {
    /// The token file.
    public var path: String
    /// What went wrong.
    public var reason: String

    /// Creates an error with a reason.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// Creates an error for a failed system call, reading its errno text now.
    public init(path: String, systemCall: String, errno error: Int32) {
        self.init(path: path, reason: "\(systemCall) failed: \(String(cString: strerror(error))) (errno \(error))")
    }

    public var description: String { "control token \(self.path): \(self.reason)" }
}

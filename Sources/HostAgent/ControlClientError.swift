// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Why the control client could not get a reply.
public struct ControlClientError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var reason: String

    /// Creates an error.
    public init(reason: String) {
        self.reason = reason
    }

    init(systemCall: String, errno error: Int32) {
        self.reason = "\(systemCall) failed: \(String(cString: strerror(error))) (errno \(error))"
    }

    public var description: String { self.reason }
}

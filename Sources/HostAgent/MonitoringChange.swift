// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// What an event changes in a VM's stored monitoring state, committed with the event.
public struct MonitoringChange: Equatable, Sendable {
    /// The new enablement, or nil to keep it.
    public var isEnabled: Bool?
    /// Record a new power-on time (the guest started over).
    public var poweredOnAt: Date?
    /// Record a reset at this time for the reset budget.
    public var resetAt: Date?
    /// Forget the recorded resets (power cycle, vMotion).
    public var clearsResets: Bool

    /// Creates a change; by default only status and state are stored.
    public init(
        isEnabled: Bool? = nil, poweredOnAt: Date? = nil, resetAt: Date? = nil, clearsResets: Bool = false
    ) {
        self.isEnabled = isEnabled
        self.poweredOnAt = poweredOnAt
        self.resetAt = resetAt
        self.clearsResets = clearsResets
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// How a VM's endpoint misbehaves on purpose, to show a guest what a slow or hung host looks like.
///
/// The connection serving a guest reads the plan before it answers each request, so a change
/// applies to connections already open.
public struct FaultPlan: Equatable, Sendable, Codable {
    /// How long each request waits before it is answered; zero answers at once.
    public var replyDelay: Duration = .zero
    /// True makes the host read requests and never answer them, as a hung host process does.
    public var isHung = false

    /// No fault: every request is answered at once.
    public static let none = FaultPlan()

    /// Creates a plan.
    ///
    /// - Parameters:
    ///   - replyDelay: how long each request waits before it is answered.
    ///   - isHung: whether requests are read and never answered.
    public init(replyDelay: Duration = .zero, isHung: Bool = false) {
        self.replyDelay = replyDelay
        self.isHung = isHung
    }
}

/// A VM's current fault plan, shared by its endpoint and every connection serving it.
final class FaultPlanBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = FaultPlan.none

    /// The plan as it is now.
    var plan: FaultPlan {
        get { self.lock.withLock { self.value } }
        set { self.lock.withLock { self.value = newValue } }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// How late the guest drivers ran their steps: a measure of how starved the machine was.
final class DriverLateness: @unchecked Sendable {
    private let lock = NSLock()
    private var worst = 0.0
    private var late = 0

    func record(_ seconds: Double) {
        self.lock.withLock {
            self.worst = max(self.worst, seconds)
            if seconds > 1 { self.late += 1 }
        }
    }

    var maximum: Double { self.lock.withLock { self.worst } }
    var overOneSecond: Int { self.lock.withLock { self.late } }
}

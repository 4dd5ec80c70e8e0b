// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The daemon's reset action: runs the action each VM is configured with (simulated by default).
final class PerVMResetAction: ResetAction, @unchecked Sendable {
    private let lock = NSLock()
    private var actions: [String: any ResetAction] = [:]

    /// Sets (or with nil, clears) the action of the VM named `name`.
    func setAction(_ action: (any ResetAction)?, forVM name: String) {
        self.lock.withLock { self.actions[name] = action }
    }

    func resetVM(named vmName: String, completion: @escaping @Sendable (ResetOutcome) -> Void) {
        let action: any ResetAction = self.lock.withLock { self.actions[vmName] ?? SimulatedResetAction() }
        action.resetVM(named: vmName, completion: completion)
    }
}

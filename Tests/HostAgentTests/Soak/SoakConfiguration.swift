// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// How a soak runs.
struct SoakConfiguration {
    var vmCount = 1000
    /// How long new episodes start; the run lasts a few seconds more while the last ones finish.
    var seconds = 40.0
    var seed: UInt64 = 0x5EED_0006
    var failureInterval = 5
    var resetDelay = 1.0
    var heartbeatInterval = 1.0
    var workers = 16
    var scrapeInterval = 15.0

    /// The configuration with `GUESTSDK_SOAK_SECONDS`, `GUESTSDK_SOAK_VMS` and `GUESTSDK_SOAK_SEED` applied.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        var configuration = SoakConfiguration()
        if let text = environment["GUESTSDK_SOAK_SECONDS"], let seconds = Double(text) {
            configuration.seconds = seconds
        }
        if let text = environment["GUESTSDK_SOAK_VMS"], let count = Int(text) { configuration.vmCount = count }
        if let text = environment["GUESTSDK_SOAK_SEED"], let seed = UInt64(text) { configuration.seed = seed }
        return configuration
    }
}

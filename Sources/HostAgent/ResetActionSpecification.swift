// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// What a reset does beyond the engine's own state.
public enum ResetActionSpecification: Equatable, Sendable {
    /// Nothing outside the engine: the simulated guest starts over.
    case simulated
    /// Runs `path` with `arguments` and the VM's name, never through a shell, killed after
    /// `timeoutSeconds`.
    case program(path: String, arguments: [String], timeoutSeconds: Double)

    /// The program timeouts accepted, in seconds: 1 ms to 1 hour.
    public static let timeoutRange: ClosedRange<Double> = 0.001...3600
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// FIXME: DESIGN.md also names a libvirt domain reset as an action. There is no libvirt binding
// yet: the libvirt headers are not among the packages scripts/setup installs, and nothing here
// could test one without a hypervisor. Until a `LibvirtResetAction` on libvirt-dev exists, a
// `ProgramResetAction` running `/usr/bin/virsh` with the arguments `["reset"]` (the VM's name is
// appended) does the same through libvirt's own client.

/// What the host does to reset a VM, after the engine has recorded the reset as an event.
///
/// The engine has already started the VM's guest state over (monitoring off, uptime from zero,
/// status gray) when it calls the action. The action reports how it went through `completion`,
/// which the engine records as a `resetDone` event. A program that fails does not undo the
/// engine's restart of the guest state: the outcome in the event says what happened.
public protocol ResetAction: Sendable {
    /// Resets the VM named `vmName`.
    ///
    /// - Parameters:
    ///   - vmName: the VM's name.
    ///   - completion: called once, on any thread, with the outcome.
    func resetVM(named vmName: String, completion: @escaping @Sendable (ResetOutcome) -> Void)
}

/// How a reset action ended.
public enum ResetOutcome: Equatable, Sendable, CustomStringConvertible {
    /// Simulated: only the engine's view of the guest started over.
    case simulated
    /// The program ran and exited with `status`; `output` holds the start of its standard output
    /// and error.
    case programExited(status: Int32, output: String)
    /// The program was ended by `signal` that the action did not send.
    case programSignalled(signal: Int32, output: String)
    /// The program ran past the timeout and was killed with SIGKILL.
    case programTimedOut(output: String)
    /// The program could not be started; `reason` says why.
    case programFailedToStart(reason: String)

    /// True for a simulated reset and for a program that exited with status 0.
    public var succeeded: Bool {
        switch self {
        case .simulated: true
        case .programExited(let status, _): status == 0
        default: false
        }
    }

    /// A short text such as `exited(0)`, `timed-out` or `simulated`.
    public var description: String {
        switch self {
        case .simulated: "simulated"
        case .programExited(let status, _): "exited(\(status))"
        case .programSignalled(let signal, _): "signalled(\(signal))"
        case .programTimedOut: "timed-out"
        case .programFailedToStart(let reason): "failed-to-start(\(reason))"
        }
    }
}

/// The default reset: nothing outside the engine happens; the VM's guest state starts over.
public struct SimulatedResetAction: ResetAction {
    /// Creates the action.
    public init() {}

    public func resetVM(
        named vmName: String, completion: @escaping @Sendable (ResetOutcome) -> Void
    ) {
        completion(.simulated)
    }
}

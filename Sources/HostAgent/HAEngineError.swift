// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Why the HA engine refused a request about a VM.
public struct HAEngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Equatable, Sendable {
        /// No VM of that name was added.
        case unknownVM
        /// A VM of that name already exists.
        case duplicateVM
        /// The VM is configured without app monitoring: the host does not know the commands.
        case appMonitoringUnsupported
        /// `MarkActive` arrived while monitoring is not enabled.
        case notEnabled
    }

    /// What went wrong.
    public var code: Code
    /// The VM the request named.
    public var vmName: String

    /// Creates an error.
    public init(_ code: Code, vmName: String) {
        self.code = code
        self.vmName = vmName
    }

    public var description: String {
        switch self.code {
        case .unknownVM: "no VM named \(self.vmName)"
        case .duplicateVM: "a VM named \(self.vmName) already exists"
        case .appMonitoringUnsupported: "app monitoring is not supported for VM \(self.vmName)"
        case .notEnabled: "app monitoring is not enabled in VM \(self.vmName)"
        }
    }
}

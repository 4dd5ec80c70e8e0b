// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Why the RPC server could not set up an endpoint.
///
/// Names what failed, the path or port involved and, where a system call
/// failed, the call and its errno.
public struct RPCServerError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong, as a growable set of named kinds.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// The VM name cannot name a socket file (empty, `.`, `..`, or holds `/`).
        public static let invalidVMName = Kind("invalid VM name")
        /// A VM of that name is already served.
        public static let duplicateVM = Kind("VM already served")
        /// Another VM already claims that vsock context id.
        public static let duplicateCID = Kind("vsock CID already claimed")
        /// Something that is not a socket sits where the VM's socket belongs.
        public static let pathOccupied = Kind("path occupied by a non-socket file")
        /// A server is listening on the VM's socket path already.
        public static let socketInUse = Kind("socket in use by a running server")
        /// The socket path is longer than `sockaddr_un` holds.
        public static let pathTooLong = Kind("socket path too long")
        /// A system call setting up a listener failed.
        public static let systemCallFailed = Kind("system call failed")
        /// The vsock listener is already running.
        public static let alreadyListening = Kind("already listening")

        public var description: String { self.name }
    }

    /// What went wrong.
    public var kind: Kind
    /// The socket path, VM name or vsock port the error is about.
    public var subject: String
    /// The system call that failed, if one did.
    public var systemCall: String?
    /// The errno of `systemCall`, read right after the call.
    public var errorNumber: Int32?

    /// Creates an error.
    public init(_ kind: Kind, subject: String, systemCall: String? = nil, errorNumber: Int32? = nil) {
        self.kind = kind
        self.subject = subject
        self.systemCall = systemCall
        self.errorNumber = errorNumber
    }

    public var description: String {
        var text = "\(self.kind): \(self.subject)"
        if let call = self.systemCall, let number = self.errorNumber {
            text += ": \(call) failed: \(String(cString: strerror(number))) (errno \(number))"
        }
        return text
    }
}

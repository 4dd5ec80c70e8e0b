// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// How one VM's RPC endpoint is set up: its name, who owns its socket, and who may send requests.
public struct VMEndpointConfiguration: Sendable, Equatable {
    /// The VM's name; its socket is `<state-dir>/vms/<name>.sock`.
    public var name: String
    /// The owner of the VM's socket file (mode 0600): only that user (and root) can connect.
    public var socketOwner: SocketOwner
    /// When true, only privileged peers are answered: a vsock source port below 1024, or root on
    /// a Unix socket.
    public var secureChannel: Bool
    /// A fault-tolerant VM ignores `secureChannel`, as vSphere allows FT VMs only the non-secure
    /// channel.
    public var faultTolerant: Bool
    /// The guest's vsock context id, when the VM is a KVM guest reached over vsock.
    public var vsockCID: UInt32?

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - name: the VM's name: not empty, no `/`, not `.` or `..`.
    ///   - socketOwner: the owner of the socket file; the agent's own user by default.
    ///   - secureChannel: whether only privileged peers are answered.
    ///   - faultTolerant: whether the VM is fault tolerant, which turns the secure channel off.
    ///   - vsockCID: the guest's vsock context id, if any.
    public init(
        name: String, socketOwner: SocketOwner = .currentUser, secureChannel: Bool = false,
        faultTolerant: Bool = false, vsockCID: UInt32? = nil
    ) {
        self.name = name
        self.socketOwner = socketOwner
        self.secureChannel = secureChannel
        self.faultTolerant = faultTolerant
        self.vsockCID = vsockCID
    }

    /// True when unprivileged peers are refused: the secure channel is set and the VM is not FT.
    public var enforcesSecureChannel: Bool {
        self.secureChannel && !self.faultTolerant
    }

    /// True when `name` can name a socket file inside the state directory.
    public var hasValidName: Bool {
        !self.name.isEmpty && self.name != "." && self.name != ".." && !self.name.contains("/")
            && !self.name.utf8.contains(0)
    }
}

/// The user and group ids that own a VM's socket file.
public struct SocketOwner: Sendable, Equatable {
    /// The owning user id.
    public var userID: UInt32
    /// The owning group id.
    public var groupID: UInt32

    /// Creates an owner from numeric ids.
    public init(userID: UInt32, groupID: UInt32) {
        self.userID = userID
        self.groupID = groupID
    }

    /// The effective user and group of this process, the agent's own user.
    public static var currentUser: SocketOwner {
        SocketOwner(userID: geteuid(), groupID: getegid())
    }
}

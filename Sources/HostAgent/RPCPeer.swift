// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Who is at the other end of one connection, as far as the secure channel cares.
struct RPCPeer: Sendable, Equatable, CustomStringConvertible {
    private enum Address: Sendable, Equatable {
        case unix(userID: UInt32, processID: Int32)
        case unixUnknown
        case vsock(cid: UInt32, port: UInt32)
    }

    private let address: Address

    /// True for a root Unix-socket peer or a vsock source port below 1024.
    let isPrivileged: Bool

    /// A short name for logs: `unix:uid/0:pid/1234` or `vsock:3:1023`. Built when a log line
    /// asks for it, not for every connection.
    var description: String {
        switch self.address {
        case .unix(let userID, let processID): "unix:uid/\(userID):pid/\(processID)"
        case .unixUnknown: "unix:unknown"
        case .vsock(let cid, let port): "vsock:\(cid):\(port)"
        }
    }

    /// The peer of a connected Unix socket, from its SO_PEERCRED credentials.
    static func unix(descriptor: Int32) -> RPCPeer {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit fields.
        var credentials: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: credentials))
        guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else {
            return RPCPeer(address: .unixUnknown, isPrivileged: false)
        }
        let (pid, uid, _) = credentials
        return RPCPeer(address: .unix(userID: uid, processID: pid), isPrivileged: uid == 0)
    }

    /// The peer of a vsock connection: privileged when its source port is below 1024.
    static func vsock(cid: UInt32, port: UInt32) -> RPCPeer {
        RPCPeer(address: .vsock(cid: cid, port: port), isPrivileged: port < 1024)
    }
}

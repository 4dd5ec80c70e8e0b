// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Who owns a VM's socket: a user name, or numeric ids.
public struct SocketOwnerSpecification: Codable, Equatable, Sendable {
    /// A user name looked up in the password database; its primary group is used unless `gid` is given.
    public var user: String?
    /// A numeric user id.
    public var uid: UInt32?
    /// A numeric group id.
    public var gid: UInt32?

    /// Creates a specification.
    public init(user: String? = nil, uid: UInt32? = nil, gid: UInt32? = nil) {
        self.user = user
        self.uid = uid
        self.gid = gid
    }

    /// The numeric owner.
    ///
    /// - Throws: `VMDefinitionError` for an unknown user or a specification with neither user nor uid.
    public func resolved() throws -> SocketOwner {
        if let user = self.user {
            guard let entry = getpwnam(user) else {
                throw VMDefinitionError(vm: "", reason: "socketOwner: no user named \(user)")
            }
            return SocketOwner(userID: entry.pointee.pw_uid, groupID: self.gid ?? entry.pointee.pw_gid)
        }
        guard let uid = self.uid else {
            throw VMDefinitionError(vm: "", reason: "socketOwner needs user or uid")
        }
        return SocketOwner(userID: uid, groupID: self.gid ?? (getpwuid(uid)?.pointee.pw_gid ?? getegid()))
    }
}

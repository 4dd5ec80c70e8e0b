// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Why the state store could not be opened or used, beyond a plain SQLite failure.
public enum StateStoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file's schema version is newer than this release understands.
    case newerSchema(found: Int, supported: Int)
    /// The state directory could not be created or is not a directory.
    case stateDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case .newerSchema(let found, let supported):
            "state database has schema version \(found), newer than the \(supported) this release reads"
        case .stateDirectory(let path, let reason):
            "state directory \(path): \(reason)"
        }
    }
}

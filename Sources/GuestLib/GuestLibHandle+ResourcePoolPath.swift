// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// What `VMGuestLib_GetResourcePoolPath` does with the caller's buffer (PROTOCOL.md §8.4).
public enum ResourcePoolPathCopy: Equatable, Sendable {
    /// The path fits: copy these bytes (the path and its NUL) and leave the caller's size untouched.
    case copy([UInt8])
    /// The buffer is too small: set the caller's size to `requiredSize` (strlen + 1) and return `BUFFER_TOO_SMALL`.
    case bufferTooSmall(requiredSize: Int)
}

extension GuestLibHandle {
    /// The resource pool path for a caller's buffer of `bufferSize` bytes: the rules of
    /// `VMGuestLib_GetResourcePoolPath` after its NULL checks.
    ///
    /// In order: `noInfo` without data; `unsupportedVersion` when a V3 host sent fewer
    /// than 18 statistics (§12 #4); `notAvailable` when the path is marked invalid; then
    /// needed = strlen(path) + 1, at most 512 on V2 and 513 on V3.
    ///
    /// - Parameter bufferSize: the caller's `*bufferSize`.
    /// - Returns: the bytes to copy or the size to report, or the error to return.
    public func resourcePoolPath(bufferSize: Int) -> Result<ResourcePoolPathCopy, GuestLibError> {
        self.resourcePoolPathBytes().map { path in
            let needed = path.count + 1
            return bufferSize < needed ? .bufferTooSmall(requiredSize: needed) : .copy(path + [0])
        }
    }

    /// The resource pool path as text, up to its first NUL, with the checks of `resourcePoolPath(bufferSize:)`.
    public var resourcePoolPath: Result<String, GuestLibError> {
        self.resourcePoolPathBytes().map { String(decoding: $0, as: UTF8.self) }
    }

    /// The path's bytes before its first NUL (what C's strlen counts), or the error.
    private func resourcePoolPathBytes() -> Result<[UInt8], GuestLibError> {
        self.withState { state in
            guard state.sessionID != 0 else { return .failure(GuestLibHandle.noInfo(state)) }
            if state.version != 2 && state.entries.count < Int(StatisticID.resourcePoolPath.rawValue) {
                return .failure(
                    GuestLibError.unsupportedVersion.with(
                        detail: "the host sent \(state.entries.count) statistics, fewer than the path's id 18"))
            }
            return GuestLibHandle.lookup(.resourcePoolPath, in: state).map { value in
                Array((value.bytesValue ?? []).prefix { $0 != 0 })
            }
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension GuestLibHandle {
    /// The value of one statistic, or why there is none: the checks every `VMGuestLib_Get…` getter makes after
    /// its NULL checks (PROTOCOL.md §8.3, C3 onwards).
    ///
    /// In order: `noInfo` when the handle holds no data; `unsupportedVersion` when the
    /// host's protocol does not carry the id (a V3-only id on a V2 handle, §12 #5, or an
    /// id beyond the count a V3 host sent); `notAvailable` when the host marks it
    /// invalid; otherwise the value. `hostMemoryKernelOverheadMB` and `memoryShares64`
    /// have their own rules: use their typed getters for the SDK's behaviour.
    ///
    /// - Parameter id: the statistic.
    /// - Returns: the value, or the error whose `cCode` the C getter returns and whose `detail` says why.
    public func value(of id: StatisticID) -> Result<StatisticValue, GuestLibError> {
        self.withState { GuestLibHandle.lookup(id, in: $0) }
    }

    /// The value of a 32-bit statistic, with the checks of `value(of:)`.
    ///
    /// - Parameter id: a statistic whose kind is `uint32`.
    /// - Returns: the value or the error.
    public func uint32Value(of id: StatisticID) -> Result<UInt32, GuestLibError> {
        self.value(of: id).flatMap { value in
            guard case .uint32(let number) = value else { return .failure(GuestLibHandle.wrongKind(id, value)) }
            return .success(number)
        }
    }

    /// The value of a 64-bit statistic, with the checks of `value(of:)`.
    ///
    /// - Parameter id: a statistic whose kind is `uint64`.
    /// - Returns: the value or the error.
    public func uint64Value(of id: StatisticID) -> Result<UInt64, GuestLibError> {
        self.value(of: id).flatMap { value in
            guard case .uint64(let number) = value else { return .failure(GuestLibHandle.wrongKind(id, value)) }
            return .success(number)
        }
    }

    /// `VMGuestLib_GetHostMemKernOvhdMB`: `noInfo` without data, otherwise always 0, whatever the host sent.
    ///
    /// ESXi deprecated the counter from 7.1 and the SDK's getter answers 0 on V2 and V3 handles (PROTOCOL.md §8.4).
    public var hostMemoryKernelOverheadMB: Result<UInt64, GuestLibError> {
        self.withState { state in
            state.sessionID == 0 ? .failure(GuestLibHandle.noInfo(state)) : .success(0)
        }
    }

    /// `VMGuestLib_GetMemShares64`: memory shares as 64 bits, falling back to the 32-bit statistic on older hosts.
    ///
    /// Id 38 first. When the host's protocol does not carry it (`unsupportedVersion`: a
    /// V2 handle or a host without id 38) the 32-bit `memoryShares` is widened; if that
    /// fails too the answer stays `unsupportedVersion`. An id 38 marked invalid answers
    /// `notAvailable` with no fallback (PROTOCOL.md §8.4).
    public var memoryShares64: Result<UInt64, GuestLibError> {
        self.withState { state in
            switch GuestLibHandle.lookup(.memoryShares64, in: state) {
            case .success(let value):
                return .success(value.integerValue ?? 0)
            case .failure(let error) where error == .unsupportedVersion:
                guard case .success(.uint32(let shares)) = GuestLibHandle.lookup(.memoryShares, in: state) else {
                    return .failure(error)
                }
                return .success(UInt64(shares))
            case .failure(let error):
                return .failure(error)
            }
        }
    }

    static func lookup(_ id: StatisticID, in state: State) -> Result<StatisticValue, GuestLibError> {
        guard state.sessionID != 0 else { return .failure(noInfo(state)) }
        if state.version == 2 && !id.isInV2 {
            return .failure(
                GuestLibError.unsupportedVersion.with(
                    detail: "\(id) (id \(id.rawValue)) is V3 only; the host speaks V2"))
        }
        let index = Int(id.rawValue) - 1
        guard index < state.entries.count, state.entries[index].id == id else {
            return .failure(
                GuestLibError.unsupportedVersion.with(
                    detail:
                        "\(id) (id \(id.rawValue)) is newer than the host, which sent \(state.entries.count) statistics"
                ))
        }
        let entry = state.entries[index]
        guard entry.isValid else {
            return .failure(GuestLibError.notAvailable.with(detail: "the host marks \(id) (id \(id.rawValue)) invalid"))
        }
        return .success(entry.value)
    }

    static func wrongKind(_ id: StatisticID, _ value: StatisticValue) -> GuestLibError {
        GuestLibError.other.with(detail: "\(id) holds \(value), not a \(id.kind)")
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// GuestLib: the read-only guest statistics of the vSphere Guest SDK.
//
// Open a `GuestLibHandle`, call `update()` to fetch a snapshot from the host
// (`guestlib.info.get`, negotiating V3 then V2), then read typed statistics such
// as `cpuLimitMHz` or `memoryBalloonedMB`; each answers a value or why there is
// none. `GuestLibWire` is the reply codec the host agent shares, and
// `GuestLibHandle.extendedStatistics` and `atomicUpdateCookie` wrap
// `guestlib.stat.get` and `guestlib.ioctl`.

import GuestRPC

/// A handle on the host's statistics for this VM: the Swift counterpart of `VMGuestLibHandle`.
///
/// A new handle holds no data; `update()` fetches a snapshot, and every getter
/// answers from the last successful update. A failed update leaves no data
/// behind, so getters then answer `noInfo` rather than stale values. A handle may
/// be used from several threads: its state is guarded by a lock, and an update
/// holds the lock while it talks to the host.
public final class GuestLibHandle: @unchecked Sendable {
    /// Makes a channel to an endpoint; the handle makes a new one for every request and closes it after.
    public typealias ChannelMaker = @Sendable (Endpoint) throws -> any RPCChannel

    /// The endpoint every request goes to.
    public let endpoint: Endpoint

    let logger: Logger
    let makeChannel: ChannelMaker
    private let lock = Lock()
    private var state = State()

    /// What the handle holds; read and written under `lock`.
    struct State {
        /// The protocol version that last succeeded, 0 before the first success (§5.2).
        var version: UInt32 = 0
        /// The stored session: 0 means no data (never updated, or the last update failed).
        var sessionID: UInt64 = 0
        /// The entries of the last successful update; empty whenever `sessionID` is 0.
        var entries: [StatisticEntry] = []
        /// Why there is no data, for the `noInfo` detail.
        var noInfoReason = "update() has not succeeded on this handle yet"
    }

    /// Opens a handle: the Swift counterpart of `VMGuestLib_OpenHandle`.
    ///
    /// For `auto` and `backdoor` the process must run in a VMware VM (CPUID only,
    /// PROTOCOL.md §1); an explicit `unix:` or `vsock:` endpoint skips the check (§15).
    ///
    /// - Parameters:
    ///   - endpoint: where requests go, usually `try Endpoint.fromEnvironment()`.
    ///   - logger: receives debug entries for each request and failure.
    /// - Throws: `GuestLibError.notRunningInVM` for `auto` or `backdoor` outside a VMware VM.
    public convenience init(endpoint: Endpoint = .auto, logger: Logger = .disabled) throws(GuestLibError) {
        try self.init(
            endpoint: endpoint, logger: logger, isVMwareGuest: { Hypervisor.detect().isVMware },
            makeChannel: GuestLibHandle.defaultChannelMaker(logger: logger))
    }

    /// Opens a handle whose requests go through channels made by `makeChannel`.
    ///
    /// Tests pass a channel that answers like a host; programs use the other initialiser.
    ///
    /// - Parameters:
    ///   - endpoint: where requests go.
    ///   - logger: receives debug entries.
    ///   - isVMwareGuest: answers whether this process runs in a VMware VM; asked only for `auto` and `backdoor`.
    ///   - makeChannel: makes a one-shot channel to `endpoint` for each request.
    /// - Throws: `GuestLibError.notRunningInVM` for `auto` or `backdoor` when `isVMwareGuest` answers false.
    public init(
        endpoint: Endpoint, logger: Logger = .disabled, isVMwareGuest: () -> Bool,
        makeChannel: @escaping ChannelMaker
    ) throws(GuestLibError) {
        if endpoint.requiresVMwareGuest && !isVMwareGuest() {
            throw GuestLibError.notRunningInVM.with(
                detail: "endpoint \(endpoint) needs a VMware VM; CPUID reports none")
        }
        self.endpoint = endpoint
        self.logger = logger
        self.makeChannel = makeChannel
    }

    /// The channel maker programs use: the GuestRPC channel for the endpoint, one-shot.
    ///
    /// - Parameter logger: handed to each channel.
    /// - Returns: a maker.
    static func defaultChannelMaker(logger: Logger) -> ChannelMaker {
        { endpoint in try RPCChannelFactory.makeChannel(for: endpoint, oneShot: true, logger: logger) }
    }

    /// Runs `body` with the handle's state under the lock.
    func withState<T, E: Error>(_ body: (inout State) throws(E) -> T) throws(E) -> T {
        self.lock.lock()
        defer { self.lock.unlock() }
        return try body(&self.state)
    }

    /// The session id of the data the handle holds: the Swift counterpart of `VMGuestLib_GetSessionId`.
    ///
    /// It changes after vMotion, resume or snapshot revert, and always belongs to the values the getters return.
    public var sessionID: Result<UInt64, GuestLibError> {
        self.withState { state in
            guard state.sessionID != 0 else { return .failure(GuestLibHandle.noInfo(state)) }
            return .success(state.sessionID)
        }
    }

    /// The protocol version of the data the handle holds (2 or 3), or nil while it holds none.
    public var protocolVersion: UInt32? {
        self.withState { $0.sessionID == 0 ? nil : $0.version }
    }

    /// The data of the last successful update, or nil while the handle holds none.
    public var snapshot: StatisticsSnapshot? {
        self.withState { state in
            state.sessionID == 0 ? nil : StatisticsSnapshot(sessionID: state.sessionID, entries: state.entries)
        }
    }

    static func noInfo(_ state: State) -> GuestLibError {
        GuestLibError.noInfo.with(detail: state.noInfoReason)
    }
}

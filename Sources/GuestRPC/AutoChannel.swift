// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// The `auto` channel of a VMware guest: vsock to the hypervisor, falling back to the backdoor (PROTOCOL.md §3.2).
///
/// When vsock cannot be started the channel turns into a backdoor channel and
/// avoids vsock for a back-off delay that doubles at every fallback (4 s after
/// the first, at most 300 s); a later send tries vsock again once the delay has
/// passed. A failed send is retried once after a restart with the back-off
/// reset (§3.3). Errors name the endpoint that failed: the vsock address or `backdoor`.
final class AutoChannel: RPCChannel {
    /// The back-off delay before the first fallback, in seconds.
    static let initialBackoffSeconds = 2.0
    /// The longest back-off delay, in seconds.
    static let maximumBackoffSeconds = 300.0

    /// Which transport carries the next request.
    enum Mode: Equatable {
        case inactive, vsock, backdoor
    }

    private(set) var mode: Mode = .inactive
    /// The current back-off delay in seconds.
    private(set) var backoffSeconds = AutoChannel.initialBackoffSeconds
    /// The monotonic time from which vsock may be tried again.
    private(set) var vsockRetryTime = 0.0

    private let vsock: StreamChannel
    private let makeBackdoor: () throws -> any RPCChannel
    private var backdoor: (any RPCChannel)?
    private let now: () -> Double
    private let logger: Logger

    /// Creates the channel; nothing is opened before the first send.
    ///
    /// - Parameters:
    ///   - vsock: the vsock channel, built without its own resend.
    ///   - makeBackdoor: builds the backdoor channel on the first fallback.
    ///   - now: a monotonic clock in seconds.
    init(
        vsock: StreamChannel, makeBackdoor: @escaping () throws -> any RPCChannel,
        now: @escaping () -> Double = MonotonicClock.seconds, logger: Logger
    ) {
        self.vsock = vsock
        self.makeBackdoor = makeBackdoor
        self.now = now
        self.logger = logger
    }

    /// The transport in use: the vsock address, `backdoor` after a fallback, or `auto` before the first send.
    var endpoint: Endpoint {
        switch self.mode {
        case .inactive: .auto
        case .vsock: self.vsock.endpoint
        case .backdoor: .backdoor
        }
    }

    func send(_ request: [UInt8]) throws -> RPCReply {
        guard !request.isEmpty else {
            throw RPCError(
                .invalidRequest, endpoint: self.endpoint, detail: "an empty request is never sent")
        }
        switch self.mode {
        case .inactive:
            try self.start()
        case .backdoor where self.now() >= self.vsockRetryTime:
            try self.switchBackToVSock()
        case .backdoor, .vsock:
            break
        }

        do {
            return try self.current().send(request)
        } catch {
            self.logger.debug(
                "send failed, restarting the channel and resending once", ["error": "\(error)"])
            self.stop()
            self.backoffSeconds = AutoChannel.initialBackoffSeconds
            try self.start()
            return try self.current().send(request)
        }
    }

    func close() {
        self.stop()
    }

    /// Starts vsock, or falls back to the backdoor when vsock does not connect.
    private func start() throws {
        do {
            try self.vsock.open()
            self.mode = .vsock
        } catch {
            try self.fallBack(after: error)
        }
    }

    private func switchBackToVSock() throws {
        do {
            try self.vsock.open()
            self.backdoor?.close()
            self.mode = .vsock
            self.logger.debug("switched back to vsock", ["endpoint": "\(self.vsock.endpoint)"])
        } catch {
            try self.fallBack(after: error)
        }
    }

    private func fallBack(after error: any Error) throws {
        self.backoffSeconds = min(self.backoffSeconds * 2, AutoChannel.maximumBackoffSeconds)
        self.vsockRetryTime = self.now() + self.backoffSeconds
        self.logger.debug(
            "vsock unavailable, using the backdoor",
            ["error": "\(error)", "backoff": "\(self.backoffSeconds)"]
        )
        if self.backdoor == nil {
            self.backdoor = try self.makeBackdoor()
        }
        self.mode = .backdoor
    }

    private func current() -> any RPCChannel {
        self.mode == .backdoor ? self.backdoor! : self.vsock
    }

    private func stop() {
        self.vsock.close()
        self.backdoor?.close()
        self.mode = .inactive
    }
}

/// Monotonic time for back-off delays, immune to wall-clock changes.
enum MonotonicClock {
    /// Seconds since an arbitrary fixed point (CLOCK_MONOTONIC).
    static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// An RPC channel over the VMware backdoor I/O port (PROTOCOL.md §2, §3.3).
///
/// Each `send` opens a message channel, sends the request, receives the reply and
/// closes the message channel again: a backdoor channel is never kept between
/// requests (§3.4, §7.3). A failed attempt is retried once on a fresh message
/// channel, as the reference does. Errors are `RPCError`s on `.backdoor`, whose
/// `guestText` is the reference's `RpcOut:` or `RpcChannel:` text (§2.7).
///
/// Not thread-safe: one owner serialises the calls.
public final class BackdoorChannel: RPCChannel {
    public let endpoint: Endpoint = .backdoor

    private let port: any BackdoorPort
    private let logger: Logger

    /// Creates a channel over `port` without any VM check; the hardware port is
    /// obtained only through `hardware(hypervisor:logger:)`.
    ///
    /// - Parameters:
    ///   - port: the backdoor; a simulated host in tests.
    ///   - logger: receives debug entries for opens, restarts and failures.
    public init(port: any BackdoorPort, logger: Logger = .disabled) {
        self.port = port
        self.logger = logger
    }

    /// Creates a channel over the hardware backdoor, but only inside a VMware VM.
    ///
    /// Runs the check of PROTOCOL.md §1: CPUID must report VMware (otherwise no
    /// port instruction runs at all), the touch probe must answer and GETVERSION
    /// must report version 6.
    ///
    /// - Parameters:
    ///   - hypervisor: the hypervisor from `Hypervisor.detect()`.
    ///   - logger: receives debug entries.
    /// - Returns: a channel over `HardwareBackdoorPort`.
    /// - Throws: `RPCError(.notRunningInVM, endpoint: .backdoor)` unless the check passes.
    public static func hardware(hypervisor: Hypervisor, logger: Logger) throws -> BackdoorChannel {
        let port = try HardwareBackdoorPort.make(for: hypervisor)
        guard hypervisor.isVMwareGuest(port: port) else {
            logger.debug("backdoor check failed", ["hypervisor": hypervisor.vendorName])
            throw RPCError(
                .notRunningInVM, endpoint: .backdoor,
                detail: "the backdoor did not answer version 6")
        }
        return BackdoorChannel(port: port, logger: logger)
    }

    /// Sends `request` over a fresh message channel and returns the host's reply.
    ///
    /// - Parameter request: the request bytes: not empty, at most 65536 bytes.
    /// - Returns: the reply with its `1 `/`0 ` prefix interpreted.
    /// - Throws: `RPCError` with kind `.invalidRequest`, `.openFailed`, `.sendFailed`,
    ///   `.receiveFailed` or `.invalidReply` (after the one retry).
    public func send(_ request: [UInt8]) throws -> RPCReply {
        guard !request.isEmpty else {
            throw RPCError(.invalidRequest, endpoint: .backdoor, detail: "empty request")
        }
        guard request.count <= BackdoorProtocol.maximumMessageLength else {
            throw RPCError(
                .invalidRequest, endpoint: .backdoor,
                detail: "request of \(request.count) bytes exceeds the host's limit of 65536")
        }
        do {
            return try self.exchange(request)
        } catch let error as RPCError where error.kind != .openFailed {
            self.logger.debug(
                "backdoor send failed, retrying once on a new channel", ["error": "\(error)"])
            return try self.exchange(request)
        }
    }

    /// Nothing to do: no message channel outlives a `send`.
    public func close() {}

    /// One attempt: OPEN, send, receive, CLOSE, then the §2.6 reply check.
    private func exchange(_ request: [UInt8]) throws -> RPCReply {
        let channel = BackdoorMessageChannel(port: self.port, logger: self.logger)
        try channel.open()
        defer { channel.close() }

        try channel.send(request)
        let bytes = try channel.receive()
        guard let reply = RPCReply(wireBytes: bytes) else {
            throw RPCError(
                .invalidReply, endpoint: .backdoor,
                detail: "reply of \(bytes.count) bytes does not start with 1 or 0")
        }
        return reply
    }
}

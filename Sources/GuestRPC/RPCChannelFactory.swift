// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Builds the channel for an endpoint, applying the VM check where it belongs (PROTOCOL.md §1, §3, §15).
///
/// `unix:` and `vsock:` endpoints are the caller's explicit choice of host and
/// skip the VM check. `backdoor` and `auto` first read CPUID: outside a VMware
/// guest they throw "not running in a VM" without executing any port instruction.
public enum RPCChannelFactory {
    /// The vsock address `auto` tries first: the hypervisor's RPCI listener.
    public static let hypervisorEndpoint = Endpoint.vsock(
        cid: Endpoint.hypervisorCID, port: Endpoint.rpciPort)

    /// How long a channel to an explicit endpoint (`unix:`, `vsock:`) waits for the host to take a
    /// request or answer it before the call fails: 30 s.
    ///
    /// The reference has no timeout (PROTOCOL.md §4.1): a hung host would hang the caller for
    /// ever, and a heartbeat loop would never learn of it. A host answers in microseconds, so 30 s
    /// only ends waits that would never end. `auto` and `backdoor` keep the reference's
    /// behaviour, since the hypervisor answers them.
    public static let defaultIOTimeoutSeconds = 30.0

    /// Makes the channel for `endpoint`.
    ///
    /// - Parameters:
    ///   - endpoint: where requests go.
    ///   - oneShot: true for guestlib's connection per request with fast close; false for
    ///     appmonitor's kept connection.
    ///   - logger: receives the channel's debug entries.
    /// - Returns: an unopened channel; the first send connects.
    /// - Throws: `RPCError` of kind `.notRunningInVM` for `auto` or `backdoor` outside a VMware
    ///   guest, or the backdoor channel's error when it cannot be created.
    public static func makeChannel(for endpoint: Endpoint, oneShot: Bool, logger: Logger) throws
        -> any RPCChannel
    {
        try self.makeChannel(
            for: endpoint, oneShot: oneShot, logger: logger, hypervisor: Hypervisor.detect,
            makeBackdoor: { hypervisor, logger in
                try BackdoorChannel.hardware(hypervisor: hypervisor, logger: logger)
            }
        )
    }

    /// Makes the channel for the endpoint `GUESTSDK_RPC` names in `environment` (`auto` when unset).
    ///
    /// - Parameters:
    ///   - oneShot: true for a connection per request with fast close; false for a kept connection.
    ///   - logger: receives the channel's debug entries.
    ///   - environment: the process environment by default.
    /// - Returns: an unopened channel.
    /// - Throws: `EndpointError` when `GUESTSDK_RPC` is malformed, else as `makeChannel(for:oneShot:logger:)`.
    public static func makeChannel(
        oneShot: Bool, logger: Logger,
        environment: [String: String] = ProcessEnvironment.current
    ) throws -> any RPCChannel {
        try self.makeChannel(
            for: Endpoint.fromEnvironment(environment), oneShot: oneShot, logger: logger)
    }

    /// The factory with its hardware access injected, for tests.
    static func makeChannel(
        for endpoint: Endpoint, oneShot: Bool, logger: Logger, hypervisor detect: () -> Hypervisor,
        makeBackdoor: @escaping (Hypervisor, Logger) throws -> any RPCChannel,
        vsockSystem: (any VSockSystem)? = nil,
        now: @escaping () -> Double = MonotonicClock.seconds
    ) throws -> any RPCChannel {
        switch endpoint {
        case .unix(let path):
            return StreamChannel.unix(
                path: path, oneShot: oneShot, logger: logger, ioTimeoutSeconds: self.defaultIOTimeoutSeconds)
        case .vsock(let cid, let port):
            let connector = VSockConnector(
                cid: cid, port: port, system: vsockSystem ?? LinuxVSockSystem(), logger: logger)
            return StreamChannel(
                connector: connector, oneShot: oneShot, logger: logger,
                ioTimeoutSeconds: self.defaultIOTimeoutSeconds)
        case .backdoor, .auto:
            break
        }

        let hypervisor = detect()
        guard hypervisor.isVMware else {
            throw RPCError(
                .notRunningInVM, endpoint: endpoint,
                detail: "the hypervisor is \(hypervisor.vendorName), not VMware"
            )
        }
        if endpoint == .backdoor {
            return try makeBackdoor(hypervisor, logger)
        }
        let connector = VSockConnector(
            cid: Endpoint.hypervisorCID, port: Endpoint.rpciPort, system: vsockSystem ?? LinuxVSockSystem(),
            logger: logger
        )
        let vsock = StreamChannel(
            connector: connector, oneShot: oneShot, logger: logger, retriesFailedSend: false)
        return AutoChannel(
            vsock: vsock, makeBackdoor: { try makeBackdoor(hypervisor, logger) }, now: now,
            logger: logger)
    }
}

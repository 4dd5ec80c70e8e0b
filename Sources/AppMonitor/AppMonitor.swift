// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// AppMonitor is the guest half of vSphere HA application monitoring: enable,
// disable, mark active (a heartbeat), is enabled, app status and app state,
// sent as `GuestAppMonitor.Cmd.*` requests (PROTOCOL.md §7). `AppMonitor.shared`
// holds the process-global channel of §7.3 that the C ABI and the tools use;
// `Heartbeat` marks the application active on an interval in the background.

import GuestRPC

/// A connection to the host's application-monitoring service, with the
/// channel persistence rule of PROTOCOL.md §7.3.
///
/// Each command runs the VM check (for `auto` and `backdoor`), opens a channel
/// when there is none, sends the request, and closes the channel again unless
/// monitoring is on (between `enable` and a successful `disable`) and the
/// channel is not the backdoor. A channel that breaks is reopened and the
/// request sent once more, exactly once (the GuestRPC channels do it
/// themselves; the monitor does it for channels of an injected maker). A
/// channel that cannot be started is discarded and made afresh on the next
/// command (§12 #8). All commands are serialised by a lock, so one instance
/// may be used from any thread.
public final class AppMonitor: @unchecked Sendable {
    /// Makes a persistent (not one-shot) channel to `endpoint`.
    ///
    /// Throws an `RPCError` when no channel can be created or started.
    public typealias ChannelMaker =
        @Sendable (_ endpoint: Endpoint, _ logger: Logger) throws -> any RPCChannel

    /// The process-global instance on the endpoint named by `GUESTSDK_RPC`
    /// (`auto` when unset), shared by the C ABI and the command-line tools.
    public static let shared = AppMonitor(environment: ProcessEnvironment.current)

    /// The GuestRPC channel factory, asked for a persistent (not one-shot) channel.
    ///
    /// Its channels connect on their first send and already close, reconnect and
    /// resend once when a send fails (§3.3), so a monitor using it does not retry again.
    public static let factoryChannelMaker: ChannelMaker = { endpoint, logger in
        try RPCChannelFactory.makeChannel(for: endpoint, oneShot: false, logger: logger)
    }

    /// The VM check used when none is given: CPUID reports the VMware hypervisor.
    public static let defaultVMwareCheck: @Sendable () -> Bool = { Hypervisor.detect().isVMware }

    private let configuredEndpoint: Result<Endpoint, EndpointError>
    private let logger: Logger
    private let isRunningInVMware: @Sendable () -> Bool
    private let makeChannel: ChannelMaker
    private let retriesFailedSends: Bool

    private let lock = Lock()
    private var channel: (any RPCChannel)?
    private var heartbeating = false

    /// Creates a monitor that talks to `endpoint`.
    ///
    /// - Parameters:
    ///   - endpoint: where requests go; `auto` and `backdoor` require a VMware VM.
    ///   - logger: receives debug entries on channel opens, closes and retries.
    ///   - isRunningInVMware: the §1 VM check, run before every command on `auto` and `backdoor`.
    ///   - makeChannel: makes a persistent channel; nil for the GuestRPC factory. A monitor
    ///     closes, remakes and resends once when a channel of a given maker fails; the
    ///     factory's channels do that themselves, so it is not done twice.
    public convenience init(
        endpoint: Endpoint,
        logger: Logger = .disabled,
        isRunningInVMware: @escaping @Sendable () -> Bool = AppMonitor.defaultVMwareCheck,
        makeChannel: ChannelMaker? = nil
    ) {
        self.init(
            configuredEndpoint: .success(endpoint), logger: logger,
            isRunningInVMware: isRunningInVMware,
            makeChannel: makeChannel
        )
    }

    /// Creates a monitor on the endpoint that `GUESTSDK_RPC` names in `environment`.
    ///
    /// A malformed value is not thrown here: every command then fails with
    /// `AppMonitorError.Reason.invalidEndpoint` (the C ABI's "could not start the channel").
    ///
    /// - Parameters:
    ///   - environment: the process environment, or a test's dictionary.
    ///   - logger: receives debug entries on channel opens, closes and retries.
    ///   - isRunningInVMware: the §1 VM check, run before every command on `auto` and `backdoor`.
    ///   - makeChannel: makes a persistent channel; nil for the GuestRPC factory (see
    ///     `init(endpoint:logger:isRunningInVMware:makeChannel:)`).
    public convenience init(
        environment: [String: String],
        logger: Logger = .disabled,
        isRunningInVMware: @escaping @Sendable () -> Bool = AppMonitor.defaultVMwareCheck,
        makeChannel: ChannelMaker? = nil
    ) {
        self.init(
            configuredEndpoint: Result { try Endpoint.fromEnvironment(environment) }.mapError {
                $0 as! EndpointError
            },
            logger: logger, isRunningInVMware: isRunningInVMware, makeChannel: makeChannel
        )
    }

    private init(
        configuredEndpoint: Result<Endpoint, EndpointError>,
        logger: Logger,
        isRunningInVMware: @escaping @Sendable () -> Bool,
        makeChannel: ChannelMaker?
    ) {
        self.configuredEndpoint = configuredEndpoint
        self.logger = logger
        self.isRunningInVMware = isRunningInVMware
        self.makeChannel = makeChannel ?? AppMonitor.factoryChannelMaker
        self.retriesFailedSends = makeChannel != nil
    }

    /// The endpoint requests go to, or nil when `GUESTSDK_RPC` could not be parsed.
    public var endpoint: Endpoint? {
        try? self.configuredEndpoint.get()
    }

    /// True from an `enable` (whatever its outcome) until a successful `disable`:
    /// while it holds, a vsock or Unix-socket channel is kept open between commands.
    public var isHeartbeating: Bool {
        self.lock.withLock { self.heartbeating }
    }

    /// True while a channel is open and kept for the next command.
    public var hasOpenChannel: Bool {
        self.lock.withLock { self.channel != nil }
    }

    /// Sends one command with the channel rules of PROTOCOL.md §7.3 and returns
    /// its raw outcome, without interpreting the reply: the layer under the C ABI.
    ///
    /// - Parameters:
    ///   - command: the `GuestAppMonitor.Cmd.*` request to send.
    ///   - argument: bytes sent verbatim after one space; nil sends the command alone.
    /// - Returns: not in a VM, channel start failed, RPC failed, or succeeded with the reply.
    public func send(
        _ command: AppMonitorCommand, argument: [UInt8]? = nil
    ) -> AppMonitorCommandOutcome {
        self.lock.withLock { self.sendLocked(command, argument: argument) }
    }

    private func sendLocked(
        _ command: AppMonitorCommand, argument: [UInt8]?
    ) -> AppMonitorCommandOutcome {
        let endpoint: Endpoint
        switch self.configuredEndpoint {
        case .success(let value):
            endpoint = value
        case .failure(let error):
            return .channelStartFailed(
                AppMonitorError(.invalidEndpoint(error), command: command, endpoint: nil))
        }
        if endpoint.requiresVMwareGuest && !self.isRunningInVMware() {
            return .notRunningInVM
        }
        if command == .enable {
            self.heartbeating = true
        }

        var isFresh = false
        if self.channel == nil {
            switch self.openChannel(endpoint) {
            case .success(let channel):
                self.channel = channel
                isFresh = true
            case .failure(.notRunningInVM):
                return .notRunningInVM
            case .failure(.failed(let error)):
                return .channelStartFailed(
                    AppMonitorError(
                        .channelStartFailed(error), command: command, endpoint: endpoint))
            }
        }

        let request = command.requestBytes(argument: argument)
        let outcome = self.exchange(request, command: command, endpoint: endpoint, isFresh: isFresh)

        if command == .disable && outcome.libraryErrorCode == 0 {
            self.heartbeating = false
            self.closeChannel(because: "monitoring disabled")
        }
        // The channel's endpoint is its current transport: a backdoor channel is never kept (§7.3).
        if let channel = self.channel, !self.heartbeating || channel.endpoint.isBackdoor {
            self.closeChannel(
                because: self.heartbeating
                    ? "backdoor channels never stay open" : "not heartbeating")
        }
        return outcome
    }

    /// Makes a channel; nothing is cached when that fails (§12 #8).
    private func openChannel(_ endpoint: Endpoint) -> Result<any RPCChannel, OpenFailure> {
        do {
            let channel = try self.makeChannel(endpoint, self.logger)
            self.logger.debug("opened channel", ["endpoint": "\(channel.endpoint)"])
            return .success(channel)
        } catch {
            let rpcError = Self.rpcError(error, kind: .channelUnavailable, endpoint: endpoint)
            self.logger.debug(
                "cannot open channel", ["endpoint": "\(endpoint)", "error": "\(rpcError)"])
            return .failure(rpcError.kind == .notRunningInVM ? .notRunningInVM : .failed(rpcError))
        }
    }

    /// Sends `request` on the current channel; on a transport error closes it and,
    /// unless the channel retried itself, makes a new one and sends once more (§3.3).
    /// A request that timed out is not sent again: a stopped host would run both copies
    /// when it resumes.
    private func exchange(
        _ request: [UInt8], command: AppMonitorCommand, endpoint: Endpoint, isFresh: Bool
    ) -> AppMonitorCommandOutcome {
        guard let channel = self.channel else { preconditionFailure("exchange without a channel") }
        let firstError: RPCError
        do {
            return Self.outcome(of: try channel.send(request))
        } catch {
            firstError = Self.rpcError(error, kind: .sendFailed, endpoint: channel.endpoint)
        }

        if isFresh && firstError.kind == .openFailed {
            // A channel that connects on its first send could not be started: report it as such.
            self.closeChannel(because: "could not be started")
            let reason = AppMonitorError(
                .channelStartFailed(firstError), command: command, endpoint: endpoint)
            return .channelStartFailed(reason)
        }
        self.closeChannel(because: "send failed: \(firstError)")
        guard self.retriesFailedSends, !firstError.isTimeout else {
            return .rpcFailed(text: Array(firstError.guestText.utf8), transportError: firstError)
        }
        let retry: any RPCChannel
        switch self.openChannel(endpoint) {
        case .success(let reopened):
            retry = reopened
        case .failure(let failure):
            let error = failure.rpcError ?? firstError
            return .rpcFailed(text: Array(error.guestText.utf8), transportError: error)
        }
        self.channel = retry
        do {
            return Self.outcome(of: try retry.send(request))
        } catch {
            let secondError = Self.rpcError(error, kind: .sendFailed, endpoint: retry.endpoint)
            self.closeChannel(because: "retry failed: \(secondError)")
            return .rpcFailed(text: Array(secondError.guestText.utf8), transportError: secondError)
        }
    }

    private func closeChannel(because reason: String) {
        guard let channel = self.channel else { return }
        self.logger.debug("closing channel", ["endpoint": "\(channel.endpoint)", "reason": reason])
        channel.close()
        self.channel = nil
    }

    private static func outcome(of reply: RPCReply) -> AppMonitorCommandOutcome {
        reply.succeeded
            ? .succeeded(reply: reply.payload)
            : .rpcFailed(text: reply.payload, transportError: nil)
    }

    private static func rpcError(
        _ error: any Error, kind: RPCError.Kind, endpoint: Endpoint
    ) -> RPCError {
        (error as? RPCError) ?? RPCError(kind, endpoint: endpoint, detail: "\(error)")
    }
}

/// Why no channel could be made.
private enum OpenFailure: Error {
    /// The channel maker found no VMware VM behind `auto` or `backdoor`.
    case notRunningInVM
    /// The channel could not be created or started.
    case failed(RPCError)

    var rpcError: RPCError? {
        if case .failed(let error) = self { return error }
        return nil
    }
}

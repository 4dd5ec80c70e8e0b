// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// FIXME: a placeholder with the signature of the backdoor helper's channel, so the
// factory builds before that branch is merged; delete this file at the merge.

/// Placeholder for the backdoor message channel (PROTOCOL.md §2.4).
public final class BackdoorChannel: RPCChannel {
    private init() {}

    /// Always throws: the backdoor channel is not part of this branch.
    ///
    /// - Throws: `RPCError` of kind `.channelUnavailable`.
    public static func hardware(hypervisor: Hypervisor, logger: Logger) throws -> BackdoorChannel {
        throw RPCError(
            .channelUnavailable, endpoint: .backdoor, detail: "the backdoor channel is not built in"
        )
    }

    /// The backdoor endpoint.
    public var endpoint: Endpoint { .backdoor }

    /// Never called: no instance exists.
    public func send(_ request: [UInt8]) throws -> RPCReply {
        throw RPCError(.channelUnavailable, endpoint: .backdoor)
    }

    /// Does nothing.
    public func close() {}
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC

extension GuestLibHandle {
    /// The protocol version the client asks for first.
    public static let currentProtocolVersion: UInt32 = 3

    /// Fetches a new snapshot from the host: the Swift counterpart of `VMGuestLib_UpdateInfo`.
    ///
    /// Sends `guestlib.info.get 3`, then `guestlib.info.get 2` if the host fails the
    /// first without `Unknown command`; starts later updates at the version that last
    /// succeeded, and renegotiates from 3 when the host's session changes (PROTOCOL.md
    /// §5.2). Each attempt uses a new one-shot channel. Any failure clears the handle,
    /// so getters answer `noInfo` until an update succeeds again.
    ///
    /// - Throws: `GuestLibError.notEnabled` when the host fails `guestlib.info.get 2` or answers
    ///   `Unknown command` (`reply` holds its text); `GuestLibError.other` when a reply cannot be decoded
    ///   (wrong version, length, `dataSize` or XDR; §5.2–§5.4, §12 #1–#3).
    public func update() throws(GuestLibError) {
        try self.withState { (state) throws(GuestLibError) in
            do throws(GuestLibError) {
                try self.negotiate(&state)
            } catch {
                state.sessionID = 0
                state.entries = []
                state.noInfoReason = "the last update failed: \(error)"
                self.logger.debug("guestlib update failed", ["endpoint": "\(self.endpoint)", "error": "\(error)"])
                throw error
            }
        }
    }

    private func negotiate(_ state: inout State) throws(GuestLibError) {
        var version = state.version == 0 ? GuestLibHandle.currentProtocolVersion : state.version
        var storedSession = state.sessionID
        while true {
            let (reply, transportError) = self.exchange(GuestLibWire.request(version: version))
            guard reply.succeeded else {
                // No host answered: say why, rather than that the host failed the request. After a
                // timeout version 2 is not tried: a host that is stopped would only time out again.
                if let transportError, version == 2 || transportError.isTimeout {
                    throw GuestLibError.notEnabled.with(
                        detail: "no answer to guestlib.info.get \(version): \(transportError)", reply: reply.payload,
                        transportError: transportError)
                }
                if version == 2 || reply.isUnknownCommand {
                    throw GuestLibError.notEnabled.with(
                        detail: "the host failed guestlib.info.get \(version): \(reply.text)", reply: reply.payload)
                }
                // Only 3 reaches here: fall back to 2. (The reference's third branch, parsing a higher version
                // from the failure text, is unreachable while the client's maximum is 3.)
                version = 2
                storedSession = 0
                continue
            }
            let header = GuestLibWire.peekHeader(reply.payload)
            if let session = header.sessionID, header.version == version, storedSession != 0, session != storedSession {
                self.logger.debug("guestlib session changed; renegotiating", ["session": "\(session)"])
                version = GuestLibHandle.currentProtocolVersion
                storedSession = 0
                continue
            }
            let sessionID: UInt64
            do {
                if version == 2 {
                    let snapshot = try GuestLibWire.decodeV2(reply.payload)
                    sessionID = snapshot.sessionID
                    state.entries = snapshot.entries
                } else {
                    // Into the last update's entries (emptied when the decode fails).
                    sessionID = try GuestLibWire.decodeV3(reply.payload, into: &state.entries)
                }
            } catch {
                throw GuestLibError.other.with(detail: "guestlib.info.get \(version) reply: \(error)")
            }
            state.version = version
            state.sessionID = sessionID
            if sessionID == 0 { state.entries = [] }
            state.noInfoReason =
                sessionID == 0
                ? "the host sent session 0, which means no data" : "update() has not succeeded on this handle yet"
            return
        }
    }

    /// Sends one request over a new one-shot channel; a transport failure becomes a failed reply with the
    /// §2.7 text, and the error that caused it.
    func exchange(_ request: [UInt8]) -> (reply: RPCReply, transportError: RPCError?) {
        GuestLibHandle.exchange(request, to: self.endpoint, makeChannel: self.makeChannel, logger: self.logger)
    }

    /// `exchange`'s reply alone.
    static func send(_ request: [UInt8], to endpoint: Endpoint, makeChannel: ChannelMaker, logger: Logger) -> RPCReply {
        self.exchange(request, to: endpoint, makeChannel: makeChannel, logger: logger).reply
    }

    static func exchange(
        _ request: [UInt8], to endpoint: Endpoint, makeChannel: ChannelMaker, logger: Logger
    ) -> (reply: RPCReply, transportError: RPCError?) {
        logger.debug("guestlib request", ["endpoint": "\(endpoint)", "bytes": "\(request.count)"])
        let transportError: RPCError
        do {
            let channel = try makeChannel(endpoint)
            defer { channel.close() }
            return (try channel.send(request), nil)
        } catch let error as RPCError {
            transportError = error
        } catch {
            transportError = RPCError(.channelUnavailable, endpoint: endpoint, detail: "\(error)")
        }
        logger.debug("guestlib transport failed", ["error": "\(transportError)"])
        return (RPCReply(succeeded: false, payload: Array(transportError.guestText.utf8)), transportError)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC

extension GuestLibHandle {
    /// Asks the host for extended statistics: `guestlib.stat.get <encoding> <stat>`, the Swift counterpart of
    /// `VMGuestLib_StatGet` (PROTOCOL.md §6.1).
    ///
    /// Needs no handle and makes no VM check, as the SDK; on `auto` outside a VMware VM
    /// the channel cannot be made and the call answers `notAvailable`.
    ///
    /// - Parameters:
    ///   - encoding: `json`, `text`, `xml` or `yaml`, passed through unchecked.
    ///   - stat: the stat name (`session`, `host`, `resources`, ...); empty asks for the list of stats.
    ///   - endpoint: where the request goes.
    ///   - logger: receives debug entries.
    ///   - makeChannel: makes the one-shot channel; nil uses GuestRPC's channel for the endpoint.
    /// - Returns: the host's document (the reply after `1 `), or `bufferTooSmall` when the request would exceed
    ///   255 bytes (nothing is sent), or `notAvailable` with the failure text in `reply`.
    public static func extendedStatistics(
        encoding: [UInt8], stat: [UInt8], endpoint: Endpoint, logger: Logger = .disabled,
        makeChannel: ChannelMaker? = nil
    ) -> Result<[UInt8], GuestLibError> {
        guard let request = GuestLibWire.statGetRequest(encoding: encoding, stat: stat) else {
            return .failure(
                GuestLibError.bufferTooSmall.with(
                    detail: "guestlib.stat.get request of \(encoding.count + stat.count + 19) bytes exceeds 255"))
        }
        let maker = makeChannel ?? GuestLibHandle.defaultChannelMaker(logger: logger)
        let reply = GuestLibHandle.send(request, to: endpoint, makeChannel: maker, logger: logger)
        guard reply.succeeded else {
            return .failure(
                GuestLibError.notAvailable.with(detail: "guestlib.stat.get failed: \(reply.text)", reply: reply.payload)
            )
        }
        return .success(reply.payload)
    }

    /// `extendedStatistics` with text arguments.
    ///
    /// - Parameters:
    ///   - encoding: `json`, `text`, `xml` or `yaml`.
    ///   - stat: the stat name; empty asks for the list of stats.
    ///   - endpoint: where the request goes.
    ///   - logger: receives debug entries.
    /// - Returns: the host's document as text, or the error.
    public static func extendedStatistics(
        encoding: String, stat: String, endpoint: Endpoint, logger: Logger = .disabled
    ) -> Result<String, GuestLibError> {
        self.extendedStatistics(
            encoding: Array(encoding.utf8), stat: Array(stat.utf8), endpoint: endpoint, logger: logger
        )
        .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sends the atomic-update-cookie ioctl: `guestlib.ioctl ` + XDR (id 1, src, dst), the Swift counterpart of
    /// the unpublished `VMGuestLib_AtomicUpdateCookie` (PROTOCOL.md §6.2).
    ///
    /// - Parameters:
    ///   - source: the source cookie, at most 256 bytes.
    ///   - destination: the destination cookie, at most 256 bytes.
    ///   - endpoint: where the request goes.
    ///   - logger: receives debug entries.
    ///   - makeChannel: makes the one-shot channel; nil uses GuestRPC's channel for the endpoint.
    /// - Returns: nil when a cookie is longer than 256 bytes (nothing is sent; the C function returns FALSE with
    ///   no reply); otherwise the reply, uninterpreted: `succeeded` is the C function's result and `payload` the
    ///   stripped reply (the host's text, or the §2.7 text when the transport failed).
    public static func atomicUpdateCookie(
        source: [UInt8], destination: [UInt8], endpoint: Endpoint, logger: Logger = .disabled,
        makeChannel: ChannelMaker? = nil
    ) -> RPCReply? {
        guard let request = try? GuestLibWire.atomicUpdateCookieRequest(source: source, destination: destination)
        else {
            logger.debug("guestlib.ioctl not sent: a cookie exceeds 256 bytes")
            return nil
        }
        let maker = makeChannel ?? GuestLibHandle.defaultChannelMaker(logger: logger)
        return GuestLibHandle.send(request, to: endpoint, makeChannel: maker, logger: logger)
    }
}

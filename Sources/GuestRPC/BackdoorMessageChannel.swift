// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The guest's half of the RPCI message protocol over the backdoor (PROTOCOL.md §2.3-§2.5).
///
/// One instance is one message channel: `open()`, then `send(_:)` and `receive()`
/// as often as needed, then `close()`. Every call after OPEN carries the channel
/// id in EDX.hi and the cookies in ESI/EDI; the status comes back in ECX.hi.
/// Messages travel in 4-byte low-bandwidth steps, or in one high-bandwidth
/// transfer when the host offers it and the port can make it.
///
/// A checkpoint (status CPT) makes the reference restart a send from SENDSIZE or
/// a receive from RECVSIZE without any limit, so a host that checkpoints forever
/// would hold the guest forever. Here each send and each receive restarts at most
/// `maximumCheckpointRestarts` times and then fails.
///
/// Not thread-safe: one owner serialises the calls.
final class BackdoorMessageChannel {
    private typealias MessageType = BackdoorProtocol.MessageType
    private typealias Status = BackdoorProtocol.Status

    /// The id and cookies the host assigned at OPEN.
    struct Session: Equatable {
        var id: UInt16
        var cookieHigh: UInt32
        var cookieLow: UInt32
    }

    /// Restarts allowed per send or receive after a checkpoint, by default.
    static let defaultMaximumCheckpointRestarts = 8

    /// The longest reply accepted from the host, by default: checked before allocating.
    static let defaultMaximumReplyLength = 1 << 20

    let maximumCheckpointRestarts: Int
    let maximumReplyLength: Int

    /// The open session, or nil before `open()` and after `close()`.
    private(set) var session: Session?

    private let port: any BackdoorPort
    private let logger: Logger

    init(
        port: any BackdoorPort, logger: Logger = .disabled,
        maximumCheckpointRestarts: Int = BackdoorMessageChannel.defaultMaximumCheckpointRestarts,
        maximumReplyLength: Int = BackdoorMessageChannel.defaultMaximumReplyLength
    ) {
        self.port = port
        self.logger = logger
        self.maximumCheckpointRestarts = maximumCheckpointRestarts
        self.maximumReplyLength = maximumReplyLength
    }

    /// Opens the channel with OPEN, asking for cookies first and once more without them.
    ///
    /// - Throws: `RPCError(.openFailed)` when the host refuses both forms.
    func open() throws {
        for protocolNumber in [
            BackdoorProtocol.rpciProtocol | BackdoorProtocol.cookieFlag,
            BackdoorProtocol.rpciProtocol,
        ] {
            var registers = BackdoorRegisters(
                eax: BackdoorProtocol.magic, ebx: protocolNumber, ecx: MessageType.open.ecx,
                edx: BackdoorProtocol.lowBandwidthPort)
            try self.port.call(&registers)
            let status = Status(rawValue: registers.ecx >> 16)
            if status.contains(.success) {
                let session = Session(
                    id: UInt16(registers.edx >> 16), cookieHigh: registers.esi,
                    cookieLow: registers.edi)
                self.session = session
                self.logger.debug(
                    "backdoor channel opened",
                    [
                        "channel": "\(session.id)",
                        "cookies": "\(protocolNumber & BackdoorProtocol.cookieFlag != 0)",
                    ])
                return
            }
            self.logger.debug(
                "backdoor OPEN refused",
                ["status": "\(status)", "ebx": "0x\(String(protocolNumber, radix: 16))"])
        }
        throw RPCError(
            .openFailed, endpoint: .backdoor,
            detail: "the host refused OPEN with and without cookies")
    }

    /// Closes the channel with CLOSE; a failure is only logged, and the session is dropped
    /// either way.
    func close() {
        guard self.session != nil else { return }
        let result = try? self.call(.close, ebx: 0)
        self.session = nil
        if let (status, _) = result, status.contains(.success) {
            self.logger.debug("backdoor channel closed")
        } else {
            self.logger.debug(
                "backdoor CLOSE failed", ["status": result.map { "\($0.0)" } ?? "port error"])
        }
    }

    /// Sends one message: SENDSIZE, then SENDPAYLOAD steps or one high-bandwidth transfer.
    ///
    /// - Parameter message: at most 65536 bytes; an empty message sends SENDSIZE only.
    /// - Throws: `RPCError(.invalidRequest)` for a message over the host's limit,
    ///   `RPCError(.sendFailed)` when a step fails or the host checkpoints too often.
    func send(_ message: [UInt8]) throws {
        guard message.count <= BackdoorProtocol.maximumMessageLength else {
            throw RPCError(
                .invalidRequest, endpoint: .backdoor,
                detail: "message of \(message.count) bytes exceeds the host's limit of 65536")
        }
        var restarts = 0
        while try !self.sendOnce(message) {
            guard restarts < self.maximumCheckpointRestarts else {
                throw RPCError(
                    .sendFailed, endpoint: .backdoor,
                    detail: "the host checkpointed \(restarts + 1) times in a row")
            }
            restarts += 1
            self.logger.debug(
                "backdoor checkpoint during send, restarting from SENDSIZE",
                ["restart": "\(restarts)"])
        }
    }

    /// Receives the host's message: RECVSIZE, RECVPAYLOAD steps or one high-bandwidth
    /// transfer, then RECVSTATUS.
    ///
    /// - Returns: the message; empty when the host has none waiting (no DORECV).
    /// - Throws: `RPCError(.receiveFailed)` when a step fails, the host's type echo is
    ///   wrong, the reply is over `maximumReplyLength` or the host checkpoints too often.
    func receive() throws -> [UInt8] {
        var restarts = 0
        while true {
            if let message = try self.receiveOnce() {
                return message
            }
            guard restarts < self.maximumCheckpointRestarts else {
                throw RPCError(
                    .receiveFailed, endpoint: .backdoor,
                    detail: "the host checkpointed \(restarts + 1) times in a row")
            }
            restarts += 1
            self.logger.debug(
                "backdoor checkpoint during receive, restarting from RECVSIZE",
                ["restart": "\(restarts)"])
        }
    }

    // MARK: - Steps

    /// One pass of a send; false when a checkpoint asks for a restart from SENDSIZE.
    private func sendOnce(_ message: [UInt8]) throws -> Bool {
        let (status, _) = try self.call(.sendSize, ebx: UInt32(message.count))
        guard status.contains(.success) else {
            throw self.failure(.sendFailed, step: "SENDSIZE", status: status)
        }

        if status.contains(.highBandwidth), self.port.supportsHighBandwidth, !message.isEmpty {
            let session = try self.openSession(.sendFailed)
            var registers = BackdoorRegisters(
                eax: BackdoorProtocol.magic, ebx: BackdoorProtocol.highBandwidthMessage,
                ecx: UInt32(message.count),
                edx: UInt32(session.id) << 16 | BackdoorProtocol.highBandwidthPort,
                edi: session.cookieLow,
                ebp: session.cookieHigh)
            try self.port.sendHighBandwidth(message, registers: &registers)
            let transferStatus = Status(rawValue: registers.ebx >> 16)
            if transferStatus.contains(.success) {
                return true
            }
            if transferStatus.contains(.checkpoint) {
                return false
            }
            throw self.failure(.sendFailed, step: "high-bandwidth send", status: transferStatus)
        }

        var offset = 0
        while offset < message.count {
            let end = min(offset + 4, message.count)
            var word: UInt32 = 0
            for (index, byte) in message[offset..<end].enumerated() {
                word |= UInt32(byte) << (8 * index)
            }
            let (status, _) = try self.call(.sendPayload, ebx: word)
            guard status.contains(.success) else {
                if status.contains(.checkpoint) {
                    return false
                }
                throw self.failure(.sendFailed, step: "SENDPAYLOAD", status: status)
            }
            offset = end
        }
        return true
    }

    /// One pass of a receive; nil when a checkpoint asks for a restart from RECVSIZE.
    private func receiveOnce() throws -> [UInt8]? {
        let (status, registers) = try self.call(.receiveSize, ebx: 0)
        guard status.contains(.success) else {
            throw self.failure(.receiveFailed, step: "RECVSIZE", status: status)
        }
        guard status.contains(.doReceive) else {
            return []
        }
        let echo = registers.edx >> 16
        guard echo == MessageType.sendSize.rawValue else {
            throw RPCError(
                .receiveFailed, endpoint: .backdoor,
                detail: "RECVSIZE answered with type \(echo), expected 1")
        }

        let length = Int(clamping: registers.ebx)
        guard length <= self.maximumReplyLength else {
            self.abortReceive(remaining: length)
            throw RPCError(
                .receiveFailed, endpoint: .backdoor,
                detail: "reply of \(length) bytes exceeds the limit of \(self.maximumReplyLength)")
        }

        var message: [UInt8]
        if status.contains(.highBandwidth), self.port.supportsHighBandwidth, length > 0 {
            guard let received = try self.receiveHighBandwidth(count: length) else { return nil }
            message = received
        } else {
            message = []
            message.reserveCapacity(length)
            while message.count < length {
                let (status, registers) = try self.call(
                    .receivePayload, ebx: Status.success.rawValue)
                guard status.contains(.success) else {
                    if status.contains(.checkpoint) {
                        return nil
                    }
                    self.abortReceive(remaining: length - message.count)
                    throw self.failure(.receiveFailed, step: "RECVPAYLOAD", status: status)
                }
                let echo = registers.edx >> 16
                guard echo == MessageType.sendPayload.rawValue else {
                    self.abortReceive(remaining: length - message.count)
                    throw RPCError(
                        .receiveFailed, endpoint: .backdoor,
                        detail: "RECVPAYLOAD answered with type \(echo), expected 2")
                }
                let count = min(4, length - message.count)
                for index in 0..<count {
                    message.append(UInt8(truncatingIfNeeded: registers.ebx >> (8 * index)))
                }
            }
        }

        let (finalStatus, _) = try self.call(.receiveStatus, ebx: Status.success.rawValue)
        guard finalStatus.contains(.success) else {
            if finalStatus.contains(.checkpoint) {
                return nil
            }
            throw self.failure(.receiveFailed, step: "RECVSTATUS", status: finalStatus)
        }
        return message
    }

    /// The high-bandwidth receive of §2.5; nil when a checkpoint asks for a restart.
    private func receiveHighBandwidth(count: Int) throws -> [UInt8]? {
        let session = try self.openSession(.receiveFailed)
        var registers = BackdoorRegisters(
            eax: BackdoorProtocol.magic, ebx: BackdoorProtocol.highBandwidthMessage,
            ecx: UInt32(count),
            edx: UInt32(session.id) << 16 | BackdoorProtocol.highBandwidthPort,
            esi: session.cookieHigh,
            ebp: session.cookieLow)
        let bytes = try self.port.receiveHighBandwidth(count: count, registers: &registers)
        let status = Status(rawValue: registers.ebx >> 16)
        guard status.contains(.success) else {
            if status.contains(.checkpoint) {
                return nil
            }
            self.abortReceive(remaining: count)
            throw self.failure(.receiveFailed, step: "high-bandwidth receive", status: status)
        }
        guard bytes.count == count else {
            self.abortReceive(remaining: count)
            throw RPCError(
                .receiveFailed, endpoint: .backdoor,
                detail: "high-bandwidth receive gave \(bytes.count) bytes, expected \(count)")
        }
        return bytes
    }

    /// Tells the host the receive failed (PROTOCOL.md §2.4 note 4): RECVSTATUS when no
    /// bytes remain, RECVPAYLOAD when some do, both with EBX = 0. Its own status is ignored.
    private func abortReceive(remaining: Int) {
        let type: MessageType = remaining == 0 ? .receiveStatus : .receivePayload
        self.logger.debug(
            "backdoor receive aborted", ["step": "\(type)", "remaining": "\(remaining)"])
        _ = try? self.call(type, ebx: 0)
    }

    /// Makes one message call of `type` on the open session.
    private func call(
        _ type: MessageType, ebx: UInt32
    ) throws -> (Status, BackdoorRegisters) {
        let isReceiving = [.receiveSize, .receivePayload, .receiveStatus].contains(type)
        let session = try self.openSession(isReceiving ? .receiveFailed : .sendFailed)
        var registers = BackdoorRegisters(
            eax: BackdoorProtocol.magic, ebx: ebx, ecx: type.ecx,
            edx: UInt32(session.id) << 16 | BackdoorProtocol.lowBandwidthPort,
            esi: session.cookieHigh,
            edi: session.cookieLow)
        try self.port.call(&registers)
        return (Status(rawValue: registers.ecx >> 16), registers)
    }

    private func openSession(_ kind: RPCError.Kind) throws -> Session {
        guard let session = self.session else {
            throw RPCError(kind, endpoint: .backdoor, detail: "the message channel is not open")
        }
        return session
    }

    private func failure(_ kind: RPCError.Kind, step: String, status: Status) -> RPCError {
        let reason = status.contains(.closed) ? "the host closed the channel" : "status \(status)"
        return RPCError(kind, endpoint: .backdoor, detail: "\(step) failed: \(reason)")
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

@testable import GuestRPC

/// A `BackdoorPort` that plays the host's half of the backdoor
/// (PROTOCOL.md §1, §2.4, §2.5, §13).
///
/// It answers GETVERSION and the touch probe, runs the RPCI message state machine
/// with a per-channel id and cookies, checks every register the guest sets, and
/// can be told to checkpoint, fail, close the channel or echo a wrong type at a
/// chosen step. It never executes a port instruction: tests run anywhere.
final class SimulatedBackdoorHost: BackdoorPort {
    /// A step of the protocol as the host sees it, for fault injection and counting.
    enum Step: Hashable, CustomStringConvertible {
        case message(BackdoorProtocol.MessageType)
        case highBandwidthSend
        case highBandwidthReceive

        var description: String {
            switch self {
            case .message(let type): "\(type)"
            case .highBandwidthSend: "HB send"
            case .highBandwidthReceive: "HB receive"
            }
        }
    }

    /// What the host does instead of answering a step normally.
    enum Fault {
        /// Status CPT without SUCCESS; the host forgets the partial transfer.
        case checkpoint
        /// The host closes the channel and answers CLOSED from then on.
        case closeChannel
        /// Status 0: failure without CPT.
        case failure
        /// The step succeeds but EDX.hi echoes type 7 instead of the expected one.
        case wrongTypeEcho
    }

    /// How the guest reached the host in one recorded call.
    enum Transfer: Equatable {
        case lowBandwidth, probe, highBandwidthSend, highBandwidthReceive
    }

    /// One call as the host saw it: the registers going in and coming out.
    struct Call {
        var transfer: Transfer
        var input: BackdoorRegisters
        var output: BackdoorRegisters
        /// The message type of an LB message call (ECX.hi), nil for other commands.
        var messageType: BackdoorProtocol.MessageType? {
            guard self.transfer == .lowBandwidth || self.transfer == .probe,
                self.input.ecx & 0xFFFF == BackdoorProtocol.messageCommand
            else { return nil }
            return BackdoorProtocol.MessageType(rawValue: self.input.ecx >> 16)
        }
    }

    struct Channel {
        var cookieHigh: UInt32
        var cookieLow: UInt32
        var usesCookies: Bool
        var incoming: (expected: Int, bytes: [UInt8])?
        var reply: [UInt8]?
        var replyOffset = 0
        var replyAnnounced = false
    }

    // MARK: Configuration

    /// Computes the reply bytes (with their `1 `/`0 ` prefix) for a request;
    /// nil withholds the reply.
    var handler: ([UInt8]) -> [UInt8]? = { request in Array("1 ".utf8) + request }
    /// Sets status HB in the answers to SENDSIZE and RECVSIZE.
    var advertisesHighBandwidth = false
    /// The port side: whether the guest may make HB transfers at all.
    var supportsHighBandwidth = true
    /// Refuses OPEN when the cookie flag is set, as an old host would.
    var refusesCookieFlag = false
    /// Refuses every OPEN.
    var refusesOpen = false
    /// EAX answered to GETVERSION.
    var version: UInt32 = 6
    /// ECX answered to GETVERSION; nil leaves ECX as the guest set it.
    var vmxType: UInt32? = 2
    /// False makes command 10 read all ones in EAX and leave the rest, as a machine
    /// without the port does.
    var answersBackdoor = true
    /// True makes the touch probe fault, as `IN` does outside a VM.
    var probeFaults = false

    // MARK: Observations (set only by the host itself)

    var calls: [Call] = []
    /// Everything the guest did against the protocol, in words; a correct guest leaves it empty.
    var violations: [String] = []
    /// Every message the host received completely.
    var requests: [[UInt8]] = []
    /// Every reply the guest acknowledged with RECVSTATUS.
    var deliveredReplies: [[UInt8]] = []
    /// The steps the guest used to abort a receive (EBX = 0).
    var aborts: [BackdoorProtocol.MessageType] = []

    var channels: [UInt16: Channel] = [:]
    private var closedByHost: Set<UInt16> = []
    private var nextChannelID: UInt16 = 5
    private var faults: [(step: Step, occurrence: Int?, fault: Fault)] = []
    private var stepCounts: [Step: Int] = [:]

    /// The number of channels the host holds open.
    var openChannelCount: Int { self.channels.count }

    /// Makes the host answer the `occurrence`-th `step` (1-based, counted over the
    /// host's lifetime) with `fault`; a nil occurrence applies it every time.
    func inject(_ fault: Fault, at step: Step, occurrence: Int? = 1) {
        self.faults.append((step, occurrence, fault))
    }

    /// The calls of one message type, in order.
    func calls(of type: BackdoorProtocol.MessageType) -> [Call] {
        self.calls.filter { $0.messageType == type }
    }

    /// The message types of all LB message calls, in order.
    var messageTypes: [BackdoorProtocol.MessageType] {
        self.calls.compactMap(\.messageType)
    }

    // MARK: BackdoorPort

    func call(_ registers: inout BackdoorRegisters) throws {
        let input = registers
        self.answer(&registers)
        self.calls.append(Call(transfer: .lowBandwidth, input: input, output: registers))
    }

    func probe(_ registers: inout BackdoorRegisters) throws -> Bool {
        let input = registers
        if self.probeFaults {
            self.calls.append(Call(transfer: .probe, input: input, output: registers))
            return false
        }
        self.answer(&registers)
        self.calls.append(Call(transfer: .probe, input: input, output: registers))
        return true
    }

    // MARK: The host's half

    private func answer(_ registers: inout BackdoorRegisters) {
        if registers.eax != BackdoorProtocol.magic {
            self.violations.append("EAX 0x\(String(registers.eax, radix: 16)) is not the magic")
            return
        }
        if registers.edx & 0xFFFF != BackdoorProtocol.lowBandwidthPort {
            self.violations.append(
                "DX 0x\(String(registers.edx & 0xFFFF, radix: 16)) is not the LB port")
            return
        }
        switch registers.ecx & 0xFFFF {
        case BackdoorProtocol.getVersionCommand:
            guard self.answersBackdoor else {
                registers.eax = 0xFFFF_FFFF
                return
            }
            registers.eax = self.version
            registers.ebx = BackdoorProtocol.magic
            if let type = self.vmxType {
                registers.ecx = type
            }
        case BackdoorProtocol.messageCommand:
            self.answerMessage(&registers)
        default:
            self.violations.append("unexpected backdoor command \(registers.ecx & 0xFFFF)")
        }
    }

    private func answerMessage(_ registers: inout BackdoorRegisters) {
        guard let type = BackdoorProtocol.MessageType(rawValue: registers.ecx >> 16) else {
            self.violations.append("unknown message type \(registers.ecx >> 16)")
            registers.ecx = 0
            return
        }
        if type == .open {
            self.open(&registers)
            return
        }
        let id = UInt16(registers.edx >> 16)
        if self.closedByHost.contains(id) {
            registers.ecx = BackdoorProtocol.Status.closed.rawValue << 16
            return
        }
        guard var channel = self.channels[id] else {
            self.violations.append("\(type) on unknown channel \(id)")
            registers.ecx = 0
            return
        }
        if channel.usesCookies,
            registers.esi != channel.cookieHigh || registers.edi != channel.cookieLow
        {
            self.violations.append("\(type) with wrong cookies on channel \(id)")
            registers.ecx = 0
            return
        }
        var status = BackdoorProtocol.Status.success
        var echo: UInt32 = 0
        defer {
            if self.channels[id] != nil {
                self.channels[id] = channel
            }
        }
        let fault = self.fault(for: .message(type))
        switch fault {
        case .checkpoint?:
            channel.incoming = nil
            channel.replyOffset = 0
            channel.replyAnnounced = false
            registers.ecx = BackdoorProtocol.Status.checkpoint.rawValue << 16
            return
        case .closeChannel?:
            self.closeByHost(id)
            registers.ecx = BackdoorProtocol.Status.closed.rawValue << 16
            return
        case .failure?:
            registers.ecx = 0
            return
        case .wrongTypeEcho?, nil:
            break
        }

        switch type {
        case .open:
            return
        case .sendSize:
            let size = Int(registers.ebx)
            guard size <= BackdoorProtocol.maximumMessageLength else {
                registers.ecx = 0
                return
            }
            channel.reply = nil
            channel.replyAnnounced = false
            channel.incoming = (size, [])
            if size == 0 {
                self.complete([], on: &channel)
            }
            if self.advertisesHighBandwidth {
                status.insert(.highBandwidth)
            }
        case .sendPayload:
            guard var incoming = channel.incoming, incoming.bytes.count < incoming.expected else {
                self.violations.append("SENDPAYLOAD without a pending SENDSIZE")
                registers.ecx = 0
                return
            }
            let count = min(4, incoming.expected - incoming.bytes.count)
            for index in 0..<4 {
                let byte = UInt8(truncatingIfNeeded: registers.ebx >> (8 * index))
                if index < count {
                    incoming.bytes.append(byte)
                } else if byte != 0 {
                    self.violations.append("SENDPAYLOAD final chunk has a non-zero upper byte")
                }
            }
            channel.incoming = incoming
            if incoming.bytes.count == incoming.expected {
                self.complete(incoming.bytes, on: &channel)
            }
        case .receiveSize:
            if let reply = channel.reply {
                status.insert(.doReceive)
                if self.advertisesHighBandwidth {
                    status.insert(.highBandwidth)
                }
                echo = BackdoorProtocol.MessageType.sendSize.rawValue
                registers.ebx = UInt32(reply.count)
                channel.replyOffset = 0
                channel.replyAnnounced = true
            }
        case .receivePayload:
            guard let reply = channel.reply, channel.replyAnnounced else {
                self.violations.append("RECVPAYLOAD without an announced reply")
                registers.ecx = 0
                return
            }
            if registers.ebx == 0 {
                self.aborts.append(.receivePayload)
                channel.reply = nil
                channel.replyAnnounced = false
                break
            }
            if registers.ebx != 1 {
                self.violations.append("RECVPAYLOAD with EBX \(registers.ebx)")
            }
            guard channel.replyOffset < reply.count else {
                self.violations.append("RECVPAYLOAD past the end of the reply")
                registers.ecx = 0
                return
            }
            var word: UInt32 = 0
            let end = min(channel.replyOffset + 4, reply.count)
            for (index, byte) in reply[channel.replyOffset..<end].enumerated() {
                word |= UInt32(byte) << (8 * index)
            }
            channel.replyOffset = end
            registers.ebx = word
            echo = BackdoorProtocol.MessageType.sendPayload.rawValue
        case .receiveStatus:
            guard let reply = channel.reply, channel.replyAnnounced else {
                self.violations.append("RECVSTATUS without an announced reply")
                registers.ecx = 0
                return
            }
            if registers.ebx == 0 {
                self.aborts.append(.receiveStatus)
            } else {
                if registers.ebx != 1 || channel.replyOffset != reply.count {
                    self.violations.append(
                        "RECVSTATUS with EBX \(registers.ebx) after \(channel.replyOffset) bytes")
                }
                self.deliveredReplies.append(reply)
            }
            channel.reply = nil
            channel.replyAnnounced = false
        case .close:
            self.channels[id] = nil
        }
        if fault == .wrongTypeEcho {
            echo = 7
        }
        registers.ecx = status.rawValue << 16
        registers.edx = echo << 16 | (registers.edx & 0xFFFF)
    }

    private func open(_ registers: inout BackdoorRegisters) {
        let wantsCookies = registers.ebx & BackdoorProtocol.cookieFlag != 0
        if registers.ebx & ~BackdoorProtocol.cookieFlag != BackdoorProtocol.rpciProtocol {
            self.violations.append("OPEN with protocol 0x\(String(registers.ebx, radix: 16))")
        }
        let fault = self.fault(for: .message(.open))
        if self.refusesOpen || (wantsCookies && self.refusesCookieFlag) || fault != nil {
            registers.ecx = 0
            return
        }
        let id = self.nextChannelID
        self.nextChannelID += 1
        let channel = Channel(
            cookieHigh: wantsCookies ? 0xC0DE_0000 | UInt32(id) : 0,
            cookieLow: wantsCookies ? 0x5EED_0000 | UInt32(id) : 0,
            usesCookies: wantsCookies)
        self.channels[id] = channel
        registers.ecx = BackdoorProtocol.Status.success.rawValue << 16
        registers.edx = UInt32(id) << 16 | (registers.edx & 0xFFFF)
        registers.esi = channel.cookieHigh
        registers.edi = channel.cookieLow
    }

    func complete(_ message: [UInt8], on channel: inout Channel) {
        self.requests.append(message)
        channel.incoming = nil
        channel.reply = self.handler(message)
    }

    func closeByHost(_ id: UInt16) {
        self.channels[id] = nil
        self.closedByHost.insert(id)
    }

    func fault(for step: Step) -> Fault? {
        let count = self.stepCounts[step, default: 0] + 1
        self.stepCounts[step] = count
        return self.faults.first {
            $0.step == step && ($0.occurrence == nil || $0.occurrence == count)
        }?.fault
    }
}

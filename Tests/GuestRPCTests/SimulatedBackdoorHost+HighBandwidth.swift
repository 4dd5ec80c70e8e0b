// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

@testable import GuestRPC

/// The host's half of the high-bandwidth transfers (PROTOCOL.md §2.5).
extension SimulatedBackdoorHost {
    func sendHighBandwidth(_ bytes: [UInt8], registers: inout BackdoorRegisters) throws {
        let input = registers
        defer {
            self.calls.append(Call(transfer: .highBandwidthSend, input: input, output: registers))
        }
        guard
            var channel = self.checkHighBandwidth(
                registers, cookies: (registers.ebp, registers.edi))
        else {
            registers.ebx = 0
            return
        }
        let id = UInt16(registers.edx >> 16)
        if Int(registers.ecx) != bytes.count {
            self.violations.append("HB send: ECX \(registers.ecx) but \(bytes.count) bytes")
        }
        switch self.fault(for: .highBandwidthSend) {
        case .checkpoint?:
            channel.incoming = nil
            self.channels[id] = channel
            registers.ebx = BackdoorProtocol.Status.checkpoint.rawValue << 16
            return
        case .closeChannel?:
            self.closeByHost(id)
            registers.ebx = BackdoorProtocol.Status.closed.rawValue << 16
            return
        case .failure?, .wrongTypeEcho?:
            registers.ebx = 0
            return
        case nil:
            break
        }
        guard let incoming = channel.incoming, incoming.expected == bytes.count,
            incoming.bytes.isEmpty
        else {
            self.violations.append("HB send of \(bytes.count) bytes without a matching SENDSIZE")
            registers.ebx = 0
            return
        }
        self.complete(bytes, on: &channel)
        self.channels[id] = channel
        registers.ebx = BackdoorProtocol.Status.success.rawValue << 16
    }

    func receiveHighBandwidth(count: Int, registers: inout BackdoorRegisters) throws -> [UInt8] {
        let input = registers
        defer {
            self.calls.append(
                Call(transfer: .highBandwidthReceive, input: input, output: registers))
        }
        guard
            var channel = self.checkHighBandwidth(
                registers, cookies: (registers.esi, registers.ebp))
        else {
            registers.ebx = 0
            return []
        }
        let id = UInt16(registers.edx >> 16)
        switch self.fault(for: .highBandwidthReceive) {
        case .checkpoint?:
            channel.replyAnnounced = false
            self.channels[id] = channel
            registers.ebx = BackdoorProtocol.Status.checkpoint.rawValue << 16
            return []
        case .closeChannel?:
            self.closeByHost(id)
            registers.ebx = BackdoorProtocol.Status.closed.rawValue << 16
            return []
        case .failure?, .wrongTypeEcho?:
            registers.ebx = 0
            return []
        case nil:
            break
        }
        guard let reply = channel.reply, channel.replyAnnounced, reply.count == count,
            Int(registers.ecx) == count
        else {
            self.violations.append(
                "HB receive of \(count) bytes does not match the announced reply")
            registers.ebx = 0
            return []
        }
        channel.replyOffset = count
        self.channels[id] = channel
        registers.ebx = BackdoorProtocol.Status.success.rawValue << 16
        return reply
    }

    /// Checks the registers common to both HB directions; returns the channel when they are right.
    private func checkHighBandwidth(
        _ registers: BackdoorRegisters, cookies: (high: UInt32, low: UInt32)
    ) -> Channel? {
        if registers.eax != BackdoorProtocol.magic
            || registers.ebx != BackdoorProtocol.highBandwidthMessage
        {
            self.violations.append("HB transfer with EAX/EBX \(registers)")
        }
        if registers.edx & 0xFFFF != BackdoorProtocol.highBandwidthPort {
            self.violations.append("HB transfer not on port 0x5659: \(registers)")
        }
        let id = UInt16(registers.edx >> 16)
        guard let channel = self.channels[id] else {
            self.violations.append("HB transfer on unknown channel \(id)")
            return nil
        }
        if channel.usesCookies,
            cookies.high != channel.cookieHigh || cookies.low != channel.cookieLow
        {
            self.violations.append("HB transfer with wrong cookies: \(registers)")
            return nil
        }
        return channel
    }
}

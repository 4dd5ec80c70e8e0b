// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CPlatform

/// The real backdoor: CPlatform's `guestsdk_backdoor_in`, `guestsdk_backdoor_probe`,
/// `guestsdk_backdoor_hb_out` and `guestsdk_backdoor_hb_in`.
///
/// Outside a VMware guest these instructions fault or read garbage, so the only
/// way to obtain a port is `make(for:)`, which requires a hypervisor whose
/// `isVMware` is true and confirms the vendor with CPUID again.
public final class HardwareBackdoorPort: BackdoorPort {
    private init() {}

    /// Returns the hardware port, but only inside a VMware guest.
    ///
    /// Besides `hypervisor.isVMware`, the vendor is read from CPUID once more, so a
    /// hand-built `Hypervisor` cannot unlock the port on another machine. No port
    /// instruction is executed here.
    ///
    /// - Parameter hypervisor: the hypervisor detected by `Hypervisor.detect()`.
    /// - Returns: the port.
    /// - Throws: `RPCError(.notRunningInVM, endpoint: .backdoor)` when the vendor is not VMware.
    public static func make(for hypervisor: Hypervisor) throws -> HardwareBackdoorPort {
        guard HardwareBackdoorPort.permits(hypervisor, cpu: Hypervisor.detect()) else {
            throw RPCError(
                .notRunningInVM, endpoint: .backdoor,
                detail: "hypervisor is \(hypervisor.vendorName), not VMware")
        }
        return HardwareBackdoorPort()
    }

    /// True only when both the caller's hypervisor and the one CPUID reports now are VMware.
    static func permits(_ hypervisor: Hypervisor, cpu: Hypervisor) -> Bool {
        hypervisor.isVMware && cpu.isVMware
    }

    public var supportsHighBandwidth: Bool {
        #if arch(x86_64)
            true
        #else
            false
        #endif
    }

    /// Makes one low-bandwidth call with `guestsdk_backdoor_in`.
    public func call(_ registers: inout BackdoorRegisters) throws {
        var raw = GuestSDKBackdoorRegisters(registers)
        guard guestsdk_backdoor_in(&raw) == 0 else {
            throw HardwareBackdoorPort.unsupported("guestsdk_backdoor_in")
        }
        registers = BackdoorRegisters(raw)
    }

    /// Makes one guarded low-bandwidth call with `guestsdk_backdoor_probe`.
    public func probe(_ registers: inout BackdoorRegisters) throws -> Bool {
        var raw = GuestSDKBackdoorRegisters(registers)
        switch guestsdk_backdoor_probe(&raw) {
        case 0:
            registers = BackdoorRegisters(raw)
            return true
        case 1:
            return false
        default:
            throw HardwareBackdoorPort.unsupported("guestsdk_backdoor_probe")
        }
    }

    /// Sends `bytes` with `guestsdk_backdoor_hb_out` (`REP OUTSB`).
    public func sendHighBandwidth(_ bytes: [UInt8], registers: inout BackdoorRegisters) throws {
        precondition(Int(registers.ecx) == bytes.count, "ECX must hold the byte count")
        var raw = GuestSDKBackdoorRegisters(registers)
        let status = bytes.withUnsafeBufferPointer { buffer in
            guestsdk_backdoor_hb_out(&raw, buffer.baseAddress)
        }
        guard status == 0 else {
            throw HardwareBackdoorPort.unsupported("guestsdk_backdoor_hb_out")
        }
        registers = BackdoorRegisters(raw)
    }

    /// Receives `count` bytes with `guestsdk_backdoor_hb_in` (`REP INSB`).
    public func receiveHighBandwidth(count: Int, registers: inout BackdoorRegisters) throws
        -> [UInt8]
    {
        precondition(Int(registers.ecx) == count, "ECX must hold the byte count")
        var raw = GuestSDKBackdoorRegisters(registers)
        var bytes = [UInt8](repeating: 0, count: count)
        let status = bytes.withUnsafeMutableBufferPointer { buffer in
            guestsdk_backdoor_hb_in(&raw, buffer.baseAddress)
        }
        guard status == 0 else {
            throw HardwareBackdoorPort.unsupported("guestsdk_backdoor_hb_in")
        }
        registers = BackdoorRegisters(raw)
        return bytes
    }

    private static func unsupported(_ call: String) -> RPCError {
        RPCError(
            .channelUnavailable, endpoint: .backdoor, systemCall: call,
            detail: "this architecture has no backdoor instruction")
    }
}

extension GuestSDKBackdoorRegisters {
    fileprivate init(_ registers: BackdoorRegisters) {
        self.init(
            eax: registers.eax, ebx: registers.ebx, ecx: registers.ecx, edx: registers.edx,
            esi: registers.esi,
            edi: registers.edi, ebp: registers.ebp)
    }
}

extension BackdoorRegisters {
    fileprivate init(_ raw: GuestSDKBackdoorRegisters) {
        self.init(
            eax: raw.eax, ebx: raw.ebx, ecx: raw.ecx, edx: raw.edx, esi: raw.esi, edi: raw.edi,
            ebp: raw.ebp)
    }
}

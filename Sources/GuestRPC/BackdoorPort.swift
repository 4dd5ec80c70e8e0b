// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The seven registers one backdoor call reads and rewrites (PROTOCOL.md §2.1).
///
/// The names are the x86 32-bit names; on arm64 W0..W6 play the same roles.
public struct BackdoorRegisters: Equatable, Sendable, CustomStringConvertible {
    public var eax: UInt32
    public var ebx: UInt32
    public var ecx: UInt32
    public var edx: UInt32
    public var esi: UInt32
    public var edi: UInt32
    public var ebp: UInt32

    /// Creates a register set; unnamed registers start at zero.
    public init(
        eax: UInt32 = 0, ebx: UInt32 = 0, ecx: UInt32 = 0, edx: UInt32 = 0, esi: UInt32 = 0,
        edi: UInt32 = 0,
        ebp: UInt32 = 0
    ) {
        self.eax = eax
        self.ebx = ebx
        self.ecx = ecx
        self.edx = edx
        self.esi = esi
        self.edi = edi
        self.ebp = ebp
    }

    public var description: String {
        let names = ["eax", "ebx", "ecx", "edx", "esi", "edi", "ebp"]
        let values = [self.eax, self.ebx, self.ecx, self.edx, self.esi, self.edi, self.ebp]
        return zip(names, values).map { "\($0)=0x\(String($1, radix: 16))" }.joined(separator: " ")
    }
}

/// The I/O behind the VMware backdoor: one low-bandwidth register exchange and
/// the two high-bandwidth string transfers (PROTOCOL.md §2.1, §2.2, §2.5).
///
/// `HardwareBackdoorPort` executes the real instructions and exists only inside
/// a VMware guest; tests use a port that plays the host's half instead, so the
/// message protocol above it runs without executing a port instruction.
public protocol BackdoorPort: AnyObject {
    /// True when the port can make high-bandwidth transfers; when false the message
    /// channel uses 4-byte low-bandwidth steps even if the host offers HB.
    var supportsHighBandwidth: Bool { get }

    /// Makes one low-bandwidth call: a 32-bit `IN` from the port in DX.
    ///
    /// - Parameter registers: the registers going in; on return, all seven as the host left them.
    /// - Throws: `RPCError` when the port cannot be used on this machine.
    func call(_ registers: inout BackdoorRegisters) throws

    /// Makes the low-bandwidth call of the §1 "touch" step, catching a fault.
    ///
    /// - Parameter registers: the registers going in; on return, as the host left them.
    /// - Returns: false when the instruction faulted (not a VMware guest), true otherwise.
    /// - Throws: `RPCError` when the port cannot be used on this machine.
    func probe(_ registers: inout BackdoorRegisters) throws -> Bool

    /// Sends `bytes` to the host in one high-bandwidth transfer (`REP OUTSB` on port 0x5659).
    ///
    /// - Parameters:
    ///   - bytes: the data; ECX must hold its count. The port supplies the data address itself.
    ///   - registers: the registers going in; on return, as the host left them.
    /// - Throws: `RPCError` when the port cannot make high-bandwidth transfers.
    func sendHighBandwidth(_ bytes: [UInt8], registers: inout BackdoorRegisters) throws

    /// Receives `count` bytes from the host in one high-bandwidth transfer
    /// (`REP INSB` on port 0x5659).
    ///
    /// - Parameters:
    ///   - count: how many bytes to read; ECX must hold the same count.
    ///   - registers: the registers going in; on return, as the host left them.
    /// - Returns: the `count` bytes written by the host.
    /// - Throws: `RPCError` when the port cannot make high-bandwidth transfers.
    func receiveHighBandwidth(count: Int, registers: inout BackdoorRegisters) throws -> [UInt8]
}

extension BackdoorPort {
    /// A port without a fault guard probes with a plain call.
    public func probe(_ registers: inout BackdoorRegisters) throws -> Bool {
        try self.call(&registers)
        return true
    }
}

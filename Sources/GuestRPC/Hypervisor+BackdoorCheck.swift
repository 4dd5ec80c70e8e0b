// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// What the backdoor's GETVERSION command reports (PROTOCOL.md §1.2 step 4).
public struct BackdoorVersion: Equatable, Sendable {
    /// EAX out: the backdoor version; a usable backdoor reports 6.
    public var version: UInt32
    /// ECX out: the VMX type (2 = "scalable server", 4 = Workstation, ...), 0 when unset.
    public var vmxType: UInt32

    public init(version: UInt32, vmxType: UInt32) {
        self.version = version
        self.vmxType = vmxType
    }
}

extension Hypervisor {
    /// `~magic`, the EBX of the touch and GETVERSION probes.
    static let probeEBX: UInt32 = ~BackdoorProtocol.magic

    /// True when the VMware features leaf offers VMCALL or VMMCALL, which lets the
    /// touch step pass without executing `IN` (PROTOCOL.md §1.2 step 3, variant).
    var offersHypercallBackdoor: Bool {
        guard self.isVMware, self.maximumLeaf >= 0x4000_0010, let features = self.vmwareFeatures
        else {
            return false
        }
        return features & 0b11 != 0
    }

    /// Answers "am I in a VMware VM?" as PROTOCOL.md §1 does, on top of CPUID.
    ///
    /// Any vendor other than VMware (KVM, Xen, Hyper-V, none) answers false at once
    /// and `port` is never called: GuestSDK touches the backdoor only after CPUID
    /// reported "VMwareVMware", which makes the reference's Xen and Virtual PC
    /// probes of step 2 unnecessary. For VMware the touch step runs through
    /// `port.probe` (a fault answers false), then GETVERSION through `port.call`;
    /// the answer is true only for version 6.
    ///
    /// - Parameter port: the backdoor; the hardware port, or a simulated host in tests.
    /// - Returns: true inside a VMware VM whose backdoor answers version 6.
    public func isVMwareGuest(port: any BackdoorPort) -> Bool {
        guard self.isVMware, self.touchesBackdoor(port: port),
            let version = self.backdoorVersion(port: port)
        else {
            return false
        }
        return version.version == BackdoorProtocol.requiredVersion
    }

    /// The touch step: EAX=magic, EBX=~magic, ECX=10, DX=0x5658; it passes when EBX
    /// comes back as magic, or without a call when the hypercall backdoor is offered.
    func touchesBackdoor(port: any BackdoorPort) -> Bool {
        if self.offersHypercallBackdoor {
            return true
        }
        var registers = BackdoorRegisters(
            eax: BackdoorProtocol.magic, ebx: Hypervisor.probeEBX,
            ecx: BackdoorProtocol.getVersionCommand,
            edx: BackdoorProtocol.lowBandwidthPort)
        guard (try? port.probe(&registers)) == true else { return false }
        return registers.ebx == BackdoorProtocol.magic
    }

    /// Runs the backdoor's GETVERSION command (ECX = 0xFFFF000A) through `port`.
    ///
    /// Like `isVMwareGuest(port:)`, it calls nothing unless the vendor is VMware.
    ///
    /// - Parameter port: the backdoor; the hardware port, or a simulated host in tests.
    /// - Returns: the version and VMX type, or nil when the vendor is not VMware, EAX
    ///   comes back as 0xFFFFFFFF, EBX is not magic, or the port cannot be used.
    public func backdoorVersion(port: any BackdoorPort) -> BackdoorVersion? {
        guard self.isVMware else { return nil }
        var registers = BackdoorRegisters(
            eax: BackdoorProtocol.magic, ebx: Hypervisor.probeEBX,
            ecx: 0xFFFF_0000 | BackdoorProtocol.getVersionCommand,
            edx: BackdoorProtocol.lowBandwidthPort)
        guard (try? port.call(&registers)) != nil else { return nil }
        guard registers.eax != 0xFFFF_FFFF, registers.ebx == BackdoorProtocol.magic else {
            return nil
        }
        let vmxType = registers.ecx >> 16 == 0xFFFF ? 0 : registers.ecx
        return BackdoorVersion(version: registers.eax, vmxType: vmxType)
    }
}

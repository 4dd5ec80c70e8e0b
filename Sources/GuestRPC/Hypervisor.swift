// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CPlatform

/// The hypervisor this process runs under, as CPUID reports it (PROTOCOL.md §1).
///
/// Detection reads CPUID only. It never executes a backdoor instruction, so it
/// is safe on any machine; the backdoor is touched only when `isVMware` is true.
public struct Hypervisor: Equatable, Sendable, CustomStringConvertible {
    /// The 12-byte vendor signature with trailing NULs removed, or nil without a hypervisor.
    public var vendorSignature: String?
    /// The highest hypervisor CPUID leaf (EAX of leaf 0x40000000), or 0 without a hypervisor.
    public var maximumLeaf: UInt32
    /// ECX of the VMware features leaf 0x40000010, when present: bit 0 VMMCALL, bit 1 VMCALL.
    public var vmwareFeatures: UInt32?

    public init(vendorSignature: String?, maximumLeaf: UInt32 = 0, vmwareFeatures: UInt32? = nil) {
        self.vendorSignature = vendorSignature
        self.maximumLeaf = maximumLeaf
        self.vmwareFeatures = vmwareFeatures
    }

    /// The VMware vendor signature.
    public static let vmwareSignature = "VMwareVMware"
    /// The KVM vendor signature, without its three trailing NULs.
    public static let kvmSignature = "KVMKVMKVM"
    /// The Xen vendor signature.
    public static let xenSignature = "XenVMMXenVMM"

    /// True when CPUID reports the VMware vendor: the only case where the backdoor may be used.
    public var isVMware: Bool { self.vendorSignature == Hypervisor.vmwareSignature }

    /// A human name for the vendor: VMware, KVM, Xen, Hyper-V, another signature, or none.
    public var vendorName: String {
        switch self.vendorSignature {
        case nil: "none (bare metal or hypervisor bit clear)"
        case Hypervisor.vmwareSignature: "VMware"
        case Hypervisor.kvmSignature: "KVM"
        case Hypervisor.xenSignature: "Xen"
        case "Microsoft Hv": "Hyper-V"
        case let other?: "unknown (\(other))"
        }
    }

    public var description: String { self.vendorName }

    /// Reads the hypervisor from this CPU.
    public static func detect() -> Hypervisor {
        self.detect { leaf in
            var registers: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
            let status = withUnsafeMutableBytes(of: &registers) { raw in
                guestsdk_cpuid(leaf, 0, raw.baseAddress!.assumingMemoryBound(to: UInt32.self))
            }
            return status == 0 ? [registers.0, registers.1, registers.2, registers.3] : nil
        }
    }

    /// Reads the hypervisor through `cpuid`, which returns EAX, EBX, ECX, EDX for a
    /// leaf, or nil where the machine has no CPUID. Tests pass a table.
    public static func detect(cpuid: (UInt32) -> [UInt32]?) -> Hypervisor {
        guard let features = cpuid(0x1), features.count == 4, features[2] & (1 << 31) != 0,
            let vendor = cpuid(0x4000_0000), vendor.count == 4
        else {
            return Hypervisor(vendorSignature: nil)
        }
        let signature = Hypervisor.signature(ebx: vendor[1], ecx: vendor[2], edx: vendor[3])
        var hypervisor = Hypervisor(vendorSignature: signature, maximumLeaf: vendor[0])
        if hypervisor.isVMware, vendor[0] >= 0x4000_0010, let vmware = cpuid(0x4000_0010),
            vmware.count == 4
        {
            hypervisor.vmwareFeatures = vmware[2]
        }
        return hypervisor
    }

    /// The signature EBX‖ECX‖EDX as text, cut at the first NUL as C compares it.
    static func signature(ebx: UInt32, ecx: UInt32, edx: UInt32) -> String {
        var bytes: [UInt8] = []
        for word in [ebx, ecx, edx] {
            withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
        }
        let text = bytes.prefix { $0 != 0 }
        return String(decoding: text, as: UTF8.self)
    }
}

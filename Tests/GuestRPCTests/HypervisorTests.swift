// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

@Suite struct HypervisorTests {
    /// Leaf 1 with ECX bit 31, the hypervisor-present bit, set or clear.
    private static func leafOne(hypervisorBit: Bool) -> [UInt32] {
        [0x000A_0655, 0, hypervisorBit ? 0x8000_0000 : 0, 0]
    }

    private static func table(_ leaves: [UInt32: [UInt32]]) -> (UInt32) -> [UInt32]? {
        { leaves[$0] }
    }

    @Test func clearHypervisorBitMeansNoHypervisor() {
        let hypervisor = Hypervisor.detect(
            cpuid: Self.table([
                1: Self.leafOne(hypervisorBit: false),
                0x4000_0000: [0x4000_0010, 0x6177_4D56, 0x4D56_6572, 0x6572_6177],
            ])
        )
        #expect(hypervisor == Hypervisor(vendorSignature: nil))
        #expect(!hypervisor.isVMware)
        #expect(hypervisor.vendorName == "none (bare metal or hypervisor bit clear)")
    }

    @Test func noCPUIDMeansNoHypervisor() {
        #expect(Hypervisor.detect(cpuid: { _ in nil }).vendorSignature == nil)
    }

    @Test func shortRegisterArrayMeansNoHypervisorRatherThanACrash() {
        #expect(Hypervisor.detect(cpuid: { _ in [0x8000_0000] }).vendorSignature == nil)
    }

    @Test func kvmSignatureWithTrailingNULsIsKVM() {
        // "KVMK" "VMKV" "M\0\0\0"
        let hypervisor = Hypervisor.detect(
            cpuid: Self.table([
                1: Self.leafOne(hypervisorBit: true),
                0x4000_0000: [0x4000_0001, 0x4B4D_564B, 0x564B_4D56, 0x0000_004D],
            ])
        )
        #expect(hypervisor.vendorSignature == "KVMKVMKVM")
        #expect(hypervisor.vendorName == "KVM")
        #expect(!hypervisor.isVMware)
        #expect(hypervisor.maximumLeaf == 0x4000_0001)
    }

    @Test func xenSignatureIsXen() {
        // "XenV" "MMXe" "nVMM"
        let hypervisor = Hypervisor.detect(
            cpuid: Self.table([
                1: Self.leafOne(hypervisorBit: true),
                0x4000_0000: [0x4000_0002, 0x566E_6558, 0x6558_4D4D, 0x4D4D_566E],
            ])
        )
        #expect(hypervisor.vendorSignature == "XenVMMXenVMM")
        #expect(hypervisor.vendorName == "Xen")
        #expect(!hypervisor.isVMware)
    }

    @Test func vmwareSignatureReadsTheFeaturesLeaf() {
        let hypervisor = Hypervisor.detect(
            cpuid: Self.table([
                1: Self.leafOne(hypervisorBit: true),
                0x4000_0000: [0x4000_0010, 0x6177_4D56, 0x4D56_6572, 0x6572_6177],
                0x4000_0010: [0x0026_5AB0, 0x0001_0000, 0x0000_0002, 0],
            ])
        )
        #expect(
            hypervisor
                == Hypervisor(
                    vendorSignature: "VMwareVMware", maximumLeaf: 0x4000_0010, vmwareFeatures: 2))
        #expect(hypervisor.isVMware)
        #expect(hypervisor.vendorName == "VMware")
    }

    @Test func vmwareWithALowMaximumLeafHasNoFeatures() {
        let hypervisor = Hypervisor.detect(
            cpuid: Self.table([
                1: Self.leafOne(hypervisorBit: true),
                0x4000_0000: [0x4000_000F, 0x6177_4D56, 0x4D56_6572, 0x6572_6177],
                0x4000_0010: [0, 0, 3, 0],
            ])
        )
        #expect(hypervisor.isVMware)
        #expect(hypervisor.vmwareFeatures == nil)
    }

    @Test func hyperVAndUnknownSignaturesAreNamed() {
        #expect(Hypervisor(vendorSignature: "Microsoft Hv").vendorName == "Hyper-V")
        #expect(Hypervisor(vendorSignature: "TCGTCGTCGTCG").vendorName == "unknown (TCGTCGTCGTCG)")
    }

    @Test func buildMachineIsNotAVMwareGuest() {
        #expect(!Hypervisor.detect().isVMware)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

/// The "am I in a VMware VM?" check of PROTOCOL.md §1 on top of CPUID, against a simulated host.
@Suite struct BackdoorCheckTests {
    static let vmware = Hypervisor(
        vendorSignature: "VMwareVMware", maximumLeaf: 0x4000_0010, vmwareFeatures: 0)

    @Test func vmwareWithBackdoorVersion6IsAGuest() {
        let host = SimulatedBackdoorHost()

        #expect(Self.vmware.isVMwareGuest(port: host))

        #expect(host.calls.map(\.transfer) == [.probe, .lowBandwidth])
        #expect(
            host.calls[0].input
                == BackdoorRegisters(eax: 0x564D_5868, ebx: 0xA9B2_A797, ecx: 0xA, edx: 0x5658))
        #expect(
            host.calls[1].input
                == BackdoorRegisters(
                    eax: 0x564D_5868, ebx: 0xA9B2_A797, ecx: 0xFFFF_000A, edx: 0x5658))
    }

    @Test(arguments: [
        Hypervisor(vendorSignature: "KVMKVMKVM", maximumLeaf: 0x4000_0001),
        Hypervisor(vendorSignature: "XenVMMXenVMM", maximumLeaf: 0x4000_0005),
        Hypervisor(vendorSignature: "Microsoft Hv", maximumLeaf: 0x4000_000B),
        Hypervisor(vendorSignature: nil),
    ])
    func otherHypervisorsAreNotGuestsAndThePortIsNeverCalled(hypervisor: Hypervisor) {
        let host = SimulatedBackdoorHost()

        #expect(!hypervisor.isVMwareGuest(port: host))
        #expect(hypervisor.backdoorVersion(port: host) == nil)

        #expect(host.calls.isEmpty)
    }

    @Test func faultingTouchMeansNotAGuestAndSkipsGetVersion() {
        let host = SimulatedBackdoorHost()
        host.probeFaults = true

        #expect(!Self.vmware.isVMwareGuest(port: host))
        #expect(host.calls.map(\.transfer) == [.probe])
    }

    @Test func touchWithoutMagicInEBXMeansNotAGuest() {
        let host = SimulatedBackdoorHost()
        host.answersBackdoor = false

        #expect(!Self.vmware.isVMwareGuest(port: host))
        #expect(host.calls.map(\.transfer) == [.probe])
    }

    @Test func hypercallFeatureSkipsTheTouch() {
        let host = SimulatedBackdoorHost()
        let vmcall = Hypervisor(
            vendorSignature: "VMwareVMware", maximumLeaf: 0x4000_0010, vmwareFeatures: 0b10)
        let vmmcall = Hypervisor(
            vendorSignature: "VMwareVMware", maximumLeaf: 0x4000_0010, vmwareFeatures: 0b01)

        #expect(vmcall.isVMwareGuest(port: host))
        #expect(vmmcall.isVMwareGuest(port: host))

        #expect(host.calls.map(\.transfer) == [.lowBandwidth, .lowBandwidth])
        #expect(host.calls.allSatisfy { $0.input.ecx == 0xFFFF_000A })
    }

    @Test func hypercallFeatureCountsOnlyWithLeaf0x40000010() {
        let host = SimulatedBackdoorHost()
        let hypervisor = Hypervisor(
            vendorSignature: "VMwareVMware", maximumLeaf: 0x4000_000F, vmwareFeatures: 0b11)

        #expect(hypervisor.isVMwareGuest(port: host))
        #expect(host.calls.map(\.transfer) == [.probe, .lowBandwidth])
    }

    @Test func getVersionReadingAllOnesMeansNotAGuest() {
        let host = SimulatedBackdoorHost()
        host.answersBackdoor = false
        let hypervisor = Hypervisor(
            vendorSignature: "VMwareVMware", maximumLeaf: 0x4000_0010, vmwareFeatures: 0b10)

        #expect(!hypervisor.isVMwareGuest(port: host))
        #expect(hypervisor.backdoorVersion(port: host) == nil)
    }

    @Test func backdoorVersionOtherThan6MeansNotAGuest() {
        let host = SimulatedBackdoorHost()
        host.version = 5

        #expect(!Self.vmware.isVMwareGuest(port: host))
        #expect(Self.vmware.backdoorVersion(port: host) == BackdoorVersion(version: 5, vmxType: 2))
    }

    @Test func vmxTypeIsUnsetWhileECXHighStaysFFFF() {
        let host = SimulatedBackdoorHost()
        host.vmxType = nil

        #expect(Self.vmware.backdoorVersion(port: host) == BackdoorVersion(version: 6, vmxType: 0))
    }

    @Test func hardwarePortNeedsVMwareFromTheCallerAndFromCPUID() {
        let vmware = Hypervisor(vendorSignature: "VMwareVMware")
        let kvm = Hypervisor(vendorSignature: "KVMKVMKVM")

        #expect(HardwareBackdoorPort.permits(vmware, cpu: vmware))
        #expect(!HardwareBackdoorPort.permits(vmware, cpu: kvm))
        #expect(!HardwareBackdoorPort.permits(kvm, cpu: vmware))
        #expect(!HardwareBackdoorPort.permits(Hypervisor(vendorSignature: nil), cpu: vmware))
    }

    @Test(arguments: [Hypervisor(vendorSignature: "KVMKVMKVM"), Hypervisor(vendorSignature: nil)])
    func hardwareChannelOutsideVMwareIsNotRunningInVM(hypervisor: Hypervisor) {
        // The factory refuses before any port exists, so no backdoor instruction can run.
        let error = #expect(throws: RPCError.self) {
            _ = try BackdoorChannel.hardware(hypervisor: hypervisor, logger: .disabled)
        }
        #expect(error?.kind == .notRunningInVM)
        #expect(error?.endpoint == .backdoor)
        #expect(error?.guestText == "RpcChannel: Unable to create the RpcChannel object")
    }
}

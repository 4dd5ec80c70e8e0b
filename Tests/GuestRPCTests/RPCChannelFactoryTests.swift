// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

/// Endpoint to channel, with the VM check only where PROTOCOL.md §15 keeps it. Nothing here touches hardware.
@Suite struct RPCChannelFactoryTests {
    private static let vmware = Hypervisor(
        vendorSignature: "VMwareVMware", maximumLeaf: 0x4000_0010)
    private let detections = Locked(0)
    private let backdoorCreations = Locked(0)
    private let backdoor = FakeBackdoorChannel()

    private func make(_ endpoint: Endpoint, oneShot: Bool = true, hypervisor: Hypervisor) throws
        -> any RPCChannel
    {
        let detections = self.detections
        let creations = self.backdoorCreations
        let backdoor = self.backdoor
        return try RPCChannelFactory.makeChannel(
            for: endpoint, oneShot: oneShot, logger: .disabled,
            hypervisor: {
                detections.value += 1
                return hypervisor
            },
            makeBackdoor: { _, _ in
                creations.value += 1
                return backdoor
            },
            vsockSystem: ScriptedVSockSystem()
        )
    }

    @Test func unixEndpointSkipsTheVMCheck() throws {
        let channel = try #require(
            try self.make(.unix(path: "/run/vm.sock"), hypervisor: Hypervisor(vendorSignature: nil))
                as? StreamChannel)
        #expect(channel.endpoint == .unix(path: "/run/vm.sock"))
        #expect(channel.isOneShot)
        #expect(self.detections.value == 0)
    }

    @Test func vsockEndpointSkipsTheVMCheck() throws {
        let channel = try #require(
            try self.make(
                .vsock(cid: 2, port: 5000), oneShot: false,
                hypervisor: Hypervisor(vendorSignature: "KVMKVMKVM"))
                as? StreamChannel
        )
        #expect(channel.endpoint == .vsock(cid: 2, port: 5000))
        #expect(!channel.isOneShot)
        #expect(self.detections.value == 0)
    }

    @Test(arguments: [Endpoint.auto, .backdoor])
    func outsideVMwareTheGuestOnlyEndpointsAreNotRunningInAVM(endpoint: Endpoint) {
        #expect(
            throws: RPCError(
                .notRunningInVM, endpoint: endpoint, detail: "the hypervisor is KVM, not VMware"
            )
        ) {
            try self.make(endpoint, hypervisor: Hypervisor(vendorSignature: "KVMKVMKVM"))
        }
        #expect(self.detections.value == 1)
        #expect(self.backdoorCreations.value == 0)
    }

    @Test func backdoorOnVMwareIsTheBackdoorChannel() throws {
        let channel = try self.make(.backdoor, hypervisor: Self.vmware)
        #expect(channel === self.backdoor)
    }

    @Test func autoOnVMwareIsTheMutableChannelWithoutTouchingTheBackdoorYet() throws {
        let channel = try #require(try self.make(.auto, hypervisor: Self.vmware) as? AutoChannel)
        #expect(channel.endpoint == .auto)
        #expect(channel.mode == .inactive)
        #expect(self.backdoorCreations.value == 0)
    }

    @Test func realFactoryOnTheBuildMachineAnswersNotRunningInAVM() {
        for endpoint in [Endpoint.auto, .backdoor] {
            #expect {
                try RPCChannelFactory.makeChannel(for: endpoint, oneShot: true, logger: .disabled)
            } throws: { error in
                (error as? RPCError)?.kind == .notRunningInVM
                    && (error as? RPCError)?.endpoint == endpoint
            }
        }
    }

    @Test func environmentSelectsTheEndpoint() throws {
        let channel = try RPCChannelFactory.makeChannel(
            oneShot: false, logger: .disabled, environment: ["GUESTSDK_RPC": "unix:/tmp/x.sock"]
        )
        #expect(channel.endpoint == .unix(path: "/tmp/x.sock"))
        #expect(throws: EndpointError.self) {
            try RPCChannelFactory.makeChannel(
                oneShot: false, logger: .disabled, environment: ["GUESTSDK_RPC": "tcp:1"])
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import Testing

@testable import GuestRPC

/// `SystemCheck` with every probe answered by the test.
@Suite struct SystemCheckTests {
    private static let kvm = Hypervisor(vendorSignature: "KVMKVMKVM")
    private static let vmware = Hypervisor(vendorSignature: "VMwareVMware")

    private let channelsMade = Locked<[Endpoint]>([])

    private func probes(
        hypervisor: Hypervisor = kvm, kernel: String = "6.1.0-18-amd64",
        bind: Result<Void, SystemCallFailure> = .success(()), libraries: Set<String> = [],
        channel: @escaping (Endpoint) throws -> any RPCChannel = { _ in FakeBackdoorChannel() }
    ) -> SystemProbes {
        let made = self.channelsMade
        return SystemProbes(
            hypervisor: { hypervisor }, fileExists: { $0 == "/dev/vsock" },
            vsockAddressFamily: { 40 },
            kernelRelease: { kernel }, bindPrivilegedVSockPort: { bind },
            makeChannel: { endpoint in
                made.value = made.value + [endpoint]
                return try channel(endpoint)
            },
            libraryLoads: { libraries.contains($0) }
        )
    }

    private func finding(_ name: String, in report: SystemCheck.Report) -> SystemCheck.Finding? {
        report.checks.first { $0.name == name }
    }

    @Test func autoOutsideVMwareFailsWithoutOpeningAChannel() {
        let report = SystemCheck(environment: [:], probes: self.probes()).run()
        #expect(!report.canWork)
        #expect(report.endpoint == "auto")
        #expect(self.finding("vmware-guest", in: report)?.status == .fail)
        #expect(self.finding("vmware-guest", in: report)?.message == "not a VMware guest")
        #expect(
            self.finding("endpoint-answers", in: report)?.message == "not tried: not a VMware guest"
        )
        #expect(self.channelsMade.value.isEmpty)
    }

    @Test func explicitEndpointIsTriedOutsideVMware() {
        let report = SystemCheck(
            environment: ["GUESTSDK_RPC": "vsock:2:976"], probes: self.probes()
        ).run()
        #expect(report.canWork)
        #expect(self.channelsMade.value == [.vsock(cid: 2, port: 976)])
        #expect(self.finding("vmware-guest", in: report)?.status == .warn)
        #expect(
            self.finding("endpoint-answers", in: report)?.message
                == "vsock:2:976 answered 'guestlib.info.get 3' with '1 ' and 8 bytes"
        )
    }

    @Test func autoInsideVMwareIsTried() {
        let report = SystemCheck(environment: [:], probes: self.probes(hypervisor: Self.vmware))
            .run()
        #expect(report.canWork)
        #expect(self.channelsMade.value == [.auto])
        #expect(
            self.finding("hypervisor", in: report)
                == .init(name: "hypervisor", status: .pass, message: "VMware"))
    }

    @Test func endpointThatFailsIsAFailureNamingTheError() {
        let probes = self.probes { endpoint in
            throw RPCError(
                .openFailed, endpoint: endpoint, systemCall: "connect", errorNumber: ECONNREFUSED)
        }
        let report = SystemCheck(environment: ["GUESTSDK_RPC": "unix:/run/x.sock"], probes: probes)
            .run()
        #expect(!report.canWork)
        #expect(
            self.finding("endpoint-answers", in: report)?.message
                == "open failed on unix:/run/x.sock (connect: Connection refused, errno 111)"
        )
    }

    @Test func malformedEndpointFails() {
        let report = SystemCheck(environment: ["GUESTSDK_RPC": "tcp:1"], probes: self.probes())
            .run()
        #expect(!report.canWork)
        #expect(report.endpoint == "tcp:1")
        #expect(self.finding("endpoint", in: report)?.status == .fail)
        #expect(self.channelsMade.value.isEmpty)
    }

    @Test(arguments: [
        ("6.1.0-18-amd64", SystemCheck.Status.pass), ("3.9.0", .pass), ("3.10.0-1160.el7", .pass),
        ("4.0", .pass),
        ("3.8.13", .warn), ("2.6.32", .warn), ("weird", .warn),
    ])
    func kernelIsComparedWithThreeNine(release: String, status: SystemCheck.Status) {
        let report = SystemCheck(environment: [:], probes: self.probes(kernel: release)).run()
        #expect(self.finding("kernel", in: report)?.status == status)
    }

    @Test func refusedPrivilegedBindIsAWarningWithAHint() {
        let bind = Result<Void, SystemCallFailure>.failure(
            SystemCallFailure(call: "bind", errorNumber: EACCES))
        let finding = self.finding(
            "vsock-privileged-port",
            in: SystemCheck(environment: [:], probes: self.probes(bind: bind)).run())
        #expect(finding?.status == .warn)
        #expect(
            finding?.message == "may not bind vsock port 1023 (bind: Permission denied (errno 13))")
    }

    @Test func missingLibrariesWarnAndPointAtTheInstallScript() {
        let report = SystemCheck(
            environment: [:], probes: self.probes(libraries: ["libguestlib.so.0"])
        ).run()
        let libraries = report.checks.filter { SystemCheck.libraryNames.contains($0.name) }
        #expect(libraries.map(\.status) == [.warn, .pass, .warn, .warn])
        #expect(
            libraries[0].hint
                == "scripts/install puts the Guest SDK libraries where the loader looks")
    }

    @Test func reportListsEveryCheckInOrder() {
        let report = SystemCheck(environment: [:], probes: self.probes()).run()
        #expect(
            report.checks.map(\.name) == [
                "hypervisor", "vmware-guest", "vsock-device", "vsock-family", "kernel",
                "vsock-privileged-port",
                "endpoint", "endpoint-answers", "libvmGuestLib.so", "libguestlib.so.0",
                "libappmonitorlib.so",
                "libappmonitor.so.0",
            ]
        )
    }

    @Test func findingLineHasStatusNameMessageAndHint() {
        let finding = SystemCheck.Finding(
            name: "kernel", status: .warn, message: "2.6 is older", hint: "upgrade")
        #expect(finding.line == "WARN  kernel                  2.6 is older  hint: upgrade")
    }

    @Test func jsonRoundTrips() throws {
        let report = SystemCheck(environment: [:], probes: self.probes()).run()
        // checksystem --json encodes with these options (ChecksystemToolTests decode its output).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let decoded = try JSONDecoder().decode(SystemCheck.Report.self, from: encoder.encode(report))
        #expect(decoded == report)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Checks whether the Guest SDK can work on this machine, one finding per line (the `checksystem` tool).
///
/// It reports the hypervisor vendor, whether this is a VMware guest, the vsock
/// device and address family, the kernel version against 3.9, whether a
/// privileged vsock port may be bound, the endpoint `GUESTSDK_RPC` selects and
/// whether it answers, and which Guest SDK libraries the dynamic loader finds.
/// It never opens vsock CIDs 0–2 unless the machine is a VMware guest or the user
/// named that endpoint, and never executes a backdoor instruction outside VMware.
public struct SystemCheck {
    /// How one finding bears on the SDK.
    public enum Status: String, Codable, Sendable {
        case pass = "PASS"
        case warn = "WARN"
        case fail = "FAIL"
    }

    /// One finding: a check's name, its status, what was seen and what to do about it.
    public struct Finding: Equatable, Codable, Sendable {
        public var name: String
        public var status: Status
        public var message: String
        public var hint: String?

        public init(name: String, status: Status, message: String, hint: String? = nil) {
            self.name = name
            self.status = status
            self.message = message
            self.hint = hint
        }

        /// The finding as one line: `PASS  kernel  6.1.0 (3.9 or later)  hint: ...`.
        public var line: String {
            let name = self.name + String(repeating: " ", count: max(0, 22 - self.name.count))
            var text = "\(self.status.rawValue)  \(name)  \(self.message)"
            if let hint = self.hint {
                text += "  hint: \(hint)"
            }
            return text
        }
    }

    /// Every finding, and whether the SDK can work here (an endpoint answered).
    public struct Report: Equatable, Codable, Sendable {
        public var endpoint: String
        public var canWork: Bool
        public var checks: [Finding]
    }

    /// The libraries a C program of the Guest SDK loads, by the names it uses.
    public static let libraryNames = [
        "libvmGuestLib.so", "libguestlib.so.0", "libappmonitorlib.so", "libappmonitor.so.0",
    ]
    /// The request sent to see whether an endpoint answers.
    public static let probeRequest = "guestlib.info.get 3"

    private let environment: [String: String]
    private let probes: SystemProbes

    /// Creates a check of this machine.
    ///
    /// - Parameters:
    ///   - environment: where `GUESTSDK_RPC` is read; the process environment by default.
    ///   - logger: receives the channel's debug entries.
    public init(
        environment: [String: String] = ProcessEnvironment.current,
        logger: Logger = .disabled
    ) {
        self.init(environment: environment, probes: .live(logger: logger))
    }

    init(environment: [String: String], probes: SystemProbes) {
        self.environment = environment
        self.probes = probes
    }

    /// Runs every check in order.
    ///
    /// - Returns: the findings and whether the SDK can work here.
    public func run() -> Report {
        let hypervisor = self.probes.hypervisor()
        var checks = [Finding]()
        checks.append(self.vendor(hypervisor))

        let endpointText = self.environment[Endpoint.environmentVariable] ?? "auto"
        let endpoint: Endpoint?
        let endpointFinding: Finding
        do {
            let parsed = try Endpoint.fromEnvironment(self.environment)
            endpoint = parsed
            let source =
                self.environment[Endpoint.environmentVariable] == nil ? " (GUESTSDK_RPC unset)" : ""
            endpointFinding = Finding(
                name: "endpoint", status: .pass, message: "\(parsed)\(source)")
        } catch {
            endpoint = nil
            endpointFinding = Finding(
                name: "endpoint", status: .fail, message: "\(error)",
                hint: "use auto, vsock[:CID[:PORT]], backdoor or unix:PATH"
            )
        }

        checks.append(self.vmwareGuest(hypervisor, endpoint: endpoint))
        checks.append(contentsOf: self.vsock())
        checks.append(self.kernel())
        checks.append(self.privilegedPort())
        checks.append(endpointFinding)
        let answer = self.answer(endpoint, hypervisor: hypervisor)
        checks.append(answer)
        checks.append(contentsOf: self.libraries())
        return Report(
            endpoint: endpoint?.description ?? endpointText, canWork: answer.status == .pass,
            checks: checks)
    }

    private func vendor(_ hypervisor: Hypervisor) -> Finding {
        switch hypervisor.vendorSignature {
        case nil:
            return Finding(name: "hypervisor", status: .warn, message: hypervisor.vendorName)
        case Hypervisor.vmwareSignature?:
            return Finding(name: "hypervisor", status: .pass, message: hypervisor.vendorName)
        default:
            return Finding(name: "hypervisor", status: .warn, message: hypervisor.vendorName)
        }
    }

    private func vmwareGuest(_ hypervisor: Hypervisor, endpoint: Endpoint?) -> Finding {
        guard !hypervisor.isVMware else {
            return Finding(name: "vmware-guest", status: .pass, message: "a VMware guest")
        }
        let needsVMware = endpoint?.requiresVMwareGuest ?? true
        return Finding(
            name: "vmware-guest", status: needsVMware ? .fail : .warn,
            message: "not a VMware guest",
            hint: needsVMware
                ? "outside VMware set GUESTSDK_RPC=unix:PATH (guestsdk-host) or vsock:CID:PORT"
                : "fine: GUESTSDK_RPC names the host explicitly"
        )
    }

    private func vsock() -> [Finding] {
        let device =
            self.probes.fileExists("/dev/vsock")
            ? Finding(name: "vsock-device", status: .pass, message: "/dev/vsock present")
            : Finding(
                name: "vsock-device", status: .warn, message: "/dev/vsock missing",
                hint:
                    "load the vsock transport (modprobe vmw_vsock_vmci_transport, or vhost/virtio on KVM)"
            )
        let family =
            self.probes.vsockAddressFamily().map {
                Finding(name: "vsock-family", status: .pass, message: "address family \($0) usable")
            }
            ?? Finding(
                name: "vsock-family", status: .warn, message: "no vsock address family",
                hint: "without vsock a VMware guest falls back to the backdoor"
            )
        return [device, family]
    }

    private func kernel() -> Finding {
        let release = self.probes.kernelRelease()
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap {
            Int($0)
        }
        guard numbers.count == 2 else {
            return Finding(
                name: "kernel", status: .warn, message: "\(release): version not understood")
        }
        guard (numbers[0], numbers[1]) >= (3, 9) else {
            return Finding(
                name: "kernel", status: .warn, message: "\(release) is older than 3.9",
                hint: "vsock needs Linux 3.9 or later; the backdoor still works inside VMware"
            )
        }
        return Finding(name: "kernel", status: .pass, message: "\(release) (3.9 or later)")
    }

    private func privilegedPort() -> Finding {
        switch self.probes.bindPrivilegedVSockPort() {
        case .success:
            return Finding(
                name: "vsock-privileged-port", status: .pass, message: "may bind vsock port 1023")
        case .failure(let failure) where failure.call == "bind" && failure.errorNumber == EACCES:
            return Finding(
                name: "vsock-privileged-port", status: .warn,
                message: "may not bind vsock port 1023 (\(failure))",
                hint: "requests go from an unprivileged port; run as root for a secure-channel host"
            )
        case .failure(let failure):
            return Finding(
                name: "vsock-privileged-port", status: .warn,
                message: "not determined (\(failure))",
                hint: "vsock is unavailable or port 1023 is taken"
            )
        }
    }

    private func answer(_ endpoint: Endpoint?, hypervisor: Hypervisor) -> Finding {
        guard let endpoint else {
            return Finding(
                name: "endpoint-answers", status: .fail,
                message: "not tried: GUESTSDK_RPC is malformed")
        }
        if endpoint.requiresVMwareGuest, !hypervisor.isVMware {
            return Finding(
                name: "endpoint-answers", status: .fail, message: "not tried: not a VMware guest",
                hint: "start guestsdk-host and set GUESTSDK_RPC=unix:PATH to its VM socket"
            )
        }
        do {
            let channel = try self.probes.makeChannel(endpoint)
            defer { channel.close() }
            let reply = try channel.send(SystemCheck.probeRequest)
            let status = reply.succeeded ? "1" : "0"
            return Finding(
                name: "endpoint-answers", status: .pass,
                message:
                    "\(endpoint) answered '\(SystemCheck.probeRequest)' with '\(status) ' and \(reply.payload.count) bytes"
            )
        } catch {
            return Finding(
                name: "endpoint-answers", status: .fail, message: "\(error)",
                hint:
                    "check that the host agent or VMware Tools' host side is running and reachable"
            )
        }
    }

    private func libraries() -> [Finding] {
        SystemCheck.libraryNames.map { name in
            self.probes.libraryLoads(name)
                ? Finding(name: name, status: .pass, message: "found by the dynamic loader")
                : Finding(
                    name: name, status: .warn, message: "not found by the dynamic loader",
                    hint: "scripts/install puts the Guest SDK libraries where the loader looks"
                )
        }
    }
}

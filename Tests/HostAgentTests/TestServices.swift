// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// Answers `echo ARGS` with `1 ARGS`, `whoami` with `1 <vm> privileged=<bool>`, `big N` with N
/// bytes.
final class EchoService: RPCService {
    func handle(_ request: RPCRequest) -> RPCReply {
        switch request.command {
        case "echo":
            return .success(request.argumentText)
        case "whoami":
            return .success("\(request.vmName) privileged=\(request.peerIsPrivileged)")
        case "big":
            let count = Int(request.argumentText) ?? 0
            return RPCReply(
                succeeded: true, payload: (0..<count).map { UInt8(truncatingIfNeeded: $0) })
        default:
            return .failure("unexpected command")
        }
    }

    /// A router that sends `echo`, `whoami` and `big` here.
    static func router() -> Router {
        let router = Router()
        let service = EchoService()
        for command in ["echo", "whoami", "big"] {
            router.register(command: command, to: service)
        }
        return router
    }
}

/// A server on a fresh state directory (mode 0755, so an unprivileged client reaches the sockets),
/// logging into memory; stops the server and removes the directory when released.
final class ServerFixture {
    let stateDirectory: String
    let log = InMemoryLog()
    let server: RPCServer

    init(
        vms: [VMEndpointConfiguration] = [VMEndpointConfiguration(name: "vm1")],
        maximumPacketLength: Int = PacketFramer.defaultMaximumLength,
        requestObserver: (@Sendable (RPCServer.RequestRecord) -> Void)? = nil
    ) throws {
        var template = Array("/tmp/guestsdk-rpcserver-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) })
        else {
            throw TestClientError.call("mkdtemp")
        }
        self.stateDirectory = String(cString: made)
        chmod(self.stateDirectory, 0o755)
        let configuration = RPCServer.Configuration(
            stateDirectory: self.stateDirectory, maximumPacketLength: maximumPacketLength,
            requestObserver: requestObserver)
        self.server = RPCServer(
            configuration: configuration, logger: self.log.logger(label: "rpcserver"))
        for vm in vms {
            try self.server.addVM(vm, router: EchoService.router())
        }
    }

    deinit {
        self.server.stop()
        try? FileManager.default.removeItem(atPath: self.stateDirectory)
    }

    /// The socket path of `vm`.
    func path(_ vm: String = "vm1") -> String {
        self.server.socketPath(forVM: vm)
    }

    /// A connected client of `vm`.
    func client(_ vm: String = "vm1") throws -> TestClient {
        try TestClient(path: self.path(vm))
    }

    /// The log entries whose `key` field equals `value`.
    func entries(where key: String, is value: String) -> [Logger.Entry] {
        self.log.entries.filter { entry in
            entry.metadata.contains { $0.key == key && $0.value == value }
        }
    }
}

extension Logger.Entry {
    /// The value of the metadata field `key`, if present.
    subscript(field key: String) -> String? {
        self.metadata.first { $0.key == key }?.value
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// Answers `echo ARGS` with `1 ARGS`, `whoami` with `1 <vm> privileged=<bool>`, `big N` with N
/// bytes counting up, `fill N` with N bytes `A` (quick to build, for replies of megabytes).
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
        case "fill":
            return RPCReply(
                succeeded: true,
                payload: [UInt8](repeating: UInt8(ascii: "A"), count: Int(request.argumentText) ?? 0))
        default:
            return .failure("unexpected command")
        }
    }

    /// A router that sends `echo`, `whoami`, `big` and `fill` here.
    static func router() -> Router {
        let router = Router()
        let service = EchoService()
        for command in ["echo", "whoami", "big", "fill"] {
            router.register(command: command, to: service)
        }
        return router
    }
}

/// A server on a fresh state directory (mode 0755, so an unprivileged client reaches the sockets),
/// logging into memory; stops the server and removes the directory when released.
final class ServerFixture {
    let stateDirectory: String
    let log = WaitableLog()
    let server: RPCServer

    init(
        vms: [VMEndpointConfiguration] = [VMEndpointConfiguration(name: "vm1")],
        maximumPacketLength: Int = PacketFramer.defaultMaximumLength,
        maximumConnectionsPerVM: Int = RPCServer.Configuration.defaultMaximumConnectionsPerVM,
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
            maximumConnectionsPerVM: maximumConnectionsPerVM, requestObserver: requestObserver)
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

    /// Waits until `condition` holds, re-checking after every log entry, for at most `seconds`.
    ///
    /// The server logs a debug line after each connection it closes, so a condition on its
    /// statistics is re-checked as soon as it can have changed; no sleep is involved.
    ///
    /// - Returns: true when the condition held before the time ran out.
    func waitUntil(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        self.log.waitUntil(seconds: seconds, condition)
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

/// Collects log entries like `InMemoryLog` and lets a test wait for a condition between entries.
final class WaitableLog: @unchecked Sendable {
    private let condition = NSCondition()
    private var storage: [Logger.Entry] = []

    /// A logger at `minimumLevel` whose entries land in this log.
    func logger(label: String, minimumLevel: Logger.Level = .trace) -> Logger {
        Logger(label: label, minimumLevel: minimumLevel) { [self] entry in
            self.condition.lock()
            self.storage.append(entry)
            self.condition.broadcast()
            self.condition.unlock()
        }
    }

    /// Every entry logged so far, oldest first.
    var entries: [Logger.Entry] {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.storage
    }

    /// Waits until `check` holds, re-evaluating it after every new entry, for at most `seconds`.
    ///
    /// `check` runs without the log's lock held, so it may read state that is locked while logging.
    func waitUntil(seconds: Double, _ check: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while true {
            let seen = self.entries.count
            if check() { return true }
            self.condition.lock()
            var timedOut = false
            while self.storage.count == seen && !timedOut {
                timedOut = !self.condition.wait(until: deadline)
            }
            self.condition.unlock()
            if timedOut { return check() }
        }
    }
}

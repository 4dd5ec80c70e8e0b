// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// One request as the host's services see it, whatever transport carried it.
public struct RPCRequest: Sendable {
    /// The name of the VM whose endpoint received the request.
    public var vmName: String
    /// The request bytes exactly as received.
    public var bytes: [UInt8]
    /// True when the peer is privileged: a vsock source port below 1024, or a root Unix-socket peer.
    public var peerIsPrivileged: Bool

    public init(vmName: String, bytes: [UInt8], peerIsPrivileged: Bool = false) {
        self.vmName = vmName
        self.bytes = bytes
        self.peerIsPrivileged = peerIsPrivileged
    }

    /// The command: the text before the first space (PROTOCOL.md §2.6).
    public var command: String {
        let end = self.bytes.firstIndex(of: UInt8(ascii: " ")) ?? self.bytes.endIndex
        return String(decoding: self.bytes[..<end], as: UTF8.self)
    }

    /// The bytes after the first space; empty when there is no space or nothing follows it.
    public var argumentBytes: [UInt8] {
        guard let space = self.bytes.firstIndex(of: UInt8(ascii: " ")) else { return [] }
        return Array(self.bytes[(space + 1)...])
    }

    /// The arguments as text, with one trailing space removed: old clients append one (PROTOCOL.md §2.6).
    public var argumentText: String {
        String(decoding: self.argumentBytes, as: UTF8.self)
    }
}

/// A host-side service that answers some commands.
public protocol RPCService: AnyObject, Sendable {
    /// Answers one request routed to this service.
    ///
    /// - Parameter request: the request; its command is one the service registered for.
    /// - Returns: the reply to send, `1 …` or `0 …`.
    func handle(_ request: RPCRequest) -> RPCReply
}

/// Maps command names to services; anything unrouted gets `0 Unknown command`.
///
/// Routes are registered once at start-up and then only read, from any thread. A request's command
/// is matched as bytes against the few routes there are, one after the other, without making a
/// `String` of it or hashing it: that cost more than answering a guestlib update.
public final class Router: @unchecked Sendable {
    private let lock = NSLock()
    private var exactRoutes: [(command: [UInt8], service: any RPCService)] = []
    private var prefixRoutes: [(prefix: [UInt8], service: any RPCService)] = []

    public init() {}

    /// Sends every request whose command equals `command` to `service`, in place of any service
    /// registered for it before.
    public func register(command: String, to service: any RPCService) {
        let bytes = Array(command.utf8)
        self.lock.withLock {
            self.exactRoutes.removeAll { $0.command == bytes }
            self.exactRoutes.append((bytes, service))
        }
    }

    /// Sends every request whose command starts with `prefix` to `service`,
    /// such as `GuestAppMonitor.Cmd.`.
    public func register(prefix: String, to service: any RPCService) {
        let bytes = Array(prefix.utf8)
        self.lock.withLock { self.prefixRoutes.append((bytes, service)) }
    }

    /// Answers `request` through the service registered for its command.
    public func route(_ request: RPCRequest) -> RPCReply {
        let service = request.bytes.withUnsafeBufferPointer { bytes in
            let commandLength = bytes.firstIndex(of: UInt8(ascii: " ")) ?? bytes.count
            let command = UnsafeBufferPointer(rebasing: bytes[..<commandLength])
            return self.lock.withLock {
                self.exactRoutes.first { $0.command.count == commandLength && Self.starts(command, with: $0.command) }?
                    .service ?? self.prefixRoutes.first { Self.starts(command, with: $0.prefix) }?.service
            }
        }
        guard let service else { return .failure(RPCReply.unknownCommandText) }
        return service.handle(request)
    }

    private static func starts(_ command: UnsafeBufferPointer<UInt8>, with prefix: [UInt8]) -> Bool {
        guard command.count >= prefix.count else { return false }
        guard !prefix.isEmpty else { return true }
        return prefix.withUnsafeBufferPointer { memcmp($0.baseAddress!, command.baseAddress!, prefix.count) == 0 }
    }
}

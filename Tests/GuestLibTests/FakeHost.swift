// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import GuestRPC

/// A host in memory that answers `guestlib.*` requests as a VMware host does, and records what it saw.
final class FakeHost: @unchecked Sendable {
    /// How the host answers `guestlib.info.get`.
    enum Mode {
        /// A current host: `... 3` answers V3, `... 2` V2, any other version `0 3`.
        case v3
        /// A host before V3: `... 2` answers V2, any other version `0 Unsupported version`.
        case v2Only
        /// guestlib turned off: every request answers `0 Unknown command`.
        case disabled
        /// Every request answers this reply.
        case fixed(RPCReply)
        /// Every channel fails to be made with this error.
        case unreachable(RPCError)
    }

    private let lock = NSLock()
    private var _mode: Mode
    private var _snapshot: StatisticsSnapshot
    private var _requests: [[UInt8]] = []
    private var _channelsMade = 0
    private var _channelAttempts = 0
    private var _channelsClosed = 0
    /// Answers requests other than `guestlib.info.get`; `0 Unknown command` by default.
    var otherRequests: @Sendable ([UInt8]) -> RPCReply = { _ in .failure("Unknown command") }

    init(_ mode: Mode = .v3, snapshot: StatisticsSnapshot = Fixtures.fullSnapshot()) {
        self._mode = mode
        self._snapshot = snapshot
    }

    var mode: Mode {
        get { self.locked { self._mode } }
        set { self.locked { self._mode = newValue } }
    }

    var snapshot: StatisticsSnapshot {
        get { self.locked { self._snapshot } }
        set { self.locked { self._snapshot = newValue } }
    }

    /// The requests received, as text.
    var requests: [String] { self.locked { self._requests.map { String(decoding: $0, as: UTF8.self) } } }

    /// The requests received, as bytes.
    var requestBytes: [[UInt8]] { self.locked { self._requests } }

    var channelsMade: Int { self.locked { self._channelsMade } }
    /// Channels asked for, including those an unreachable host refused.
    var channelAttempts: Int { self.locked { self._channelAttempts } }
    var channelsClosed: Int { self.locked { self._channelsClosed } }

    /// A channel maker whose channels talk to this host.
    var makeChannel: GuestLibHandle.ChannelMaker {
        { endpoint in
            try self.locked {
                self._channelAttempts += 1
                if case .unreachable(let error) = self._mode { throw error }
                self._channelsMade += 1
            }
            return FakeChannel(endpoint: endpoint, host: self)
        }
    }

    /// Opens a handle on `unix:/fake/vm.sock` whose channels talk to this host.
    func openHandle() throws -> GuestLibHandle {
        try GuestLibHandle(
            endpoint: .unix(path: "/fake/vm.sock"), isVMwareGuest: { false }, makeChannel: self.makeChannel)
    }

    func answer(_ request: [UInt8]) -> RPCReply {
        self.locked {
            self._requests.append(request)
            let text = String(decoding: request, as: UTF8.self)
            guard text.hasPrefix("guestlib.info.get ") else {
                if case .disabled = self._mode { return .failure("Unknown command") }
                return self.otherRequests(request)
            }
            let version = text.dropFirst("guestlib.info.get ".count)
            switch self._mode {
            case .v3 where version == "3":
                return RPCReply(succeeded: true, payload: GuestLibWire.encodeV3(self._snapshot))
            case .v3 where version == "2":
                return RPCReply(succeeded: true, payload: GuestLibWire.encodeV2(self._snapshot))
            case .v3:
                return .failure("3")
            case .v2Only:
                guard version == "2" else { return .failure("Unsupported version") }
                return RPCReply(succeeded: true, payload: GuestLibWire.encodeV2(self._snapshot))
            case .disabled:
                return .failure("Unknown command")
            case .fixed(let reply):
                return reply
            case .unreachable:
                return .failure("unreachable")
            }
        }
    }

    func channelClosed() {
        self.locked { self._channelsClosed += 1 }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        self.lock.lock()
        defer { self.lock.unlock() }
        return try body()
    }
}

/// A one-shot channel that hands each request to a `FakeHost`.
final class FakeChannel: RPCChannel {
    let endpoint: Endpoint
    private let host: FakeHost

    init(endpoint: Endpoint, host: FakeHost) {
        self.endpoint = endpoint
        self.host = host
    }

    func send(_ request: [UInt8]) throws -> RPCReply {
        self.host.answer(request)
    }

    func close() {
        self.host.channelClosed()
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import GuestRPC

/// A scripted host behind fake channels: it records every channel made, every
/// request and every close, and answers like PROTOCOL.md §15 unless told otherwise.
final class FakeHost: @unchecked Sendable {
    private let lock = NSLock()
    private var requestLog: [[UInt8]] = []
    private var channelsMade = 0
    private var closeCount = 0
    private var pendingMakeErrors: [RPCError] = []
    private var pendingSendErrors: [RPCError] = []
    private var isEnabled = false
    private var sendsInFlight = 0
    private var mostSendsInFlight = 0

    /// The endpoint the fake channels report as theirs.
    let channelEndpoint: Endpoint

    /// Replaces the §15 answer for a command name; nil keeps the default.
    var answer: (@Sendable (_ request: [UInt8]) -> RPCReply?)?

    /// Called inside every send before it answers, on the sender's thread.
    var onSend: (@Sendable (_ request: [UInt8]) -> Void)?

    init(channelEndpoint: Endpoint = .unix(path: "/fake/vm.sock")) {
        self.channelEndpoint = channelEndpoint
    }

    /// A monitor on `endpoint` whose channels come from this host.
    func monitor(endpoint: Endpoint? = nil, isRunningInVMware: Bool = false) -> AppMonitor {
        AppMonitor(
            endpoint: endpoint ?? self.channelEndpoint, isRunningInVMware: { isRunningInVMware },
            makeChannel: self.channelMaker
        )
    }

    /// The maker to hand to `AppMonitor`.
    var channelMaker: AppMonitor.ChannelMaker {
        { [self] _, _ in try self.makeChannel() }
    }

    var requests: [String] {
        self.lock.withLock { self.requestLog.map { String(decoding: $0, as: UTF8.self) } }
    }

    var rawRequests: [[UInt8]] { self.lock.withLock { self.requestLog } }
    var made: Int { self.lock.withLock { self.channelsMade } }
    var closes: Int { self.lock.withLock { self.closeCount } }
    /// The most sends that ever ran at the same time.
    var maximumConcurrentSends: Int { self.lock.withLock { self.mostSendsInFlight } }

    /// The next `count` channel makes throw `error`.
    func failMakes(_ count: Int = 1, with error: RPCError? = nil) {
        let error =
            error
            ?? RPCError(
                .openFailed, endpoint: self.channelEndpoint, systemCall: "connect", errorNumber: 2)
        self.lock.withLock { self.pendingMakeErrors += Array(repeating: error, count: count) }
    }

    /// The next `count` sends throw `error`, as a broken connection does.
    func failSends(_ count: Int = 1, with error: RPCError? = nil) {
        let error =
            error
            ?? RPCError(
                .receiveFailed, endpoint: self.channelEndpoint, detail: "host closed the connection"
            )
        self.lock.withLock { self.pendingSendErrors += Array(repeating: error, count: count) }
    }

    private func makeChannel() throws -> any RPCChannel {
        try self.lock.withLock {
            if !self.pendingMakeErrors.isEmpty {
                throw self.pendingMakeErrors.removeFirst()
            }
            self.channelsMade += 1
            return FakeChannel(
                host: self, endpoint: self.channelEndpoint, number: self.channelsMade)
        }
    }

    fileprivate func receive(_ request: [UInt8], on channel: FakeChannel) throws -> RPCReply {
        let overlapping = self.lock.withLock {
            self.sendsInFlight += 1
            self.mostSendsInFlight = max(self.mostSendsInFlight, self.sendsInFlight)
            return self.sendsInFlight > 1
        }
        defer { self.lock.withLock { self.sendsInFlight -= 1 } }
        if !overlapping {
            // Give another thread time to enter a send too if nothing serialises the senders.
            for _ in 0..<3 { sched_yield() }
        }
        self.onSend?(request)
        return try self.lock.withLock {
            precondition(!channel.isClosed, "send on a closed fake channel")
            self.requestLog.append(request)
            if !self.pendingSendErrors.isEmpty {
                throw self.pendingSendErrors.removeFirst()
            }
            if let answer = self.answer, let reply = answer(request) {
                return reply
            }
            return self.defaultAnswer(request)
        }
    }

    fileprivate func closed() {
        self.lock.withLock { self.closeCount += 1 }
    }

    /// The §15 answers, with the enabled flag the only state.
    private func defaultAnswer(_ request: [UInt8]) -> RPCReply {
        let text = String(decoding: request, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        switch parts[0] {
        case "GuestAppMonitor.Cmd.Enable":
            self.isEnabled = true
            return .success("0")
        case "GuestAppMonitor.Cmd.Disable":
            self.isEnabled = false
            return .success("0")
        case "GuestAppMonitor.Cmd.MarkActive": return .success(self.isEnabled ? "0" : "2")
        case "GuestAppMonitor.Cmd.IsEnabled": return .success(self.isEnabled ? "true" : "false")
        case "GuestAppMonitor.Cmd.GetAppStatus": return .success(self.isEnabled ? "green" : "gray")
        case "GuestAppMonitor.Cmd.PostAppState":
            guard parts.count == 2 else { return .success("3") }
            return .success(
                ["appstateok", "appstateneedreset"].contains(parts[1].lowercased()) ? "0" : "5")
        default: return .failure(RPCReply.unknownCommandText)
        }
    }
}

/// A channel that hands its requests to a `FakeHost`.
final class FakeChannel: RPCChannel {
    let endpoint: Endpoint
    let number: Int
    private let host: FakeHost
    fileprivate var isClosed = false

    init(host: FakeHost, endpoint: Endpoint, number: Int) {
        self.host = host
        self.endpoint = endpoint
        self.number = number
    }

    func send(_ request: [UInt8]) throws -> RPCReply {
        try self.host.receive(request, on: self)
    }

    func close() {
        guard !self.isClosed else { return }
        self.isClosed = true
        self.host.closed()
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

/// A connector standing in for vsock: it reaches a scripted host while `isAvailable`, and fails otherwise.
final class SwitchableConnector: StreamConnector {
    /// Shared with a server thread that may switch it off.
    var availability: Locked<Bool>
    private(set) var attempts = 0
    private let path: String

    init(path: String, isAvailable: Bool) {
        self.path = path
        self.availability = Locked(isAvailable)
    }

    var isAvailable: Bool {
        get { self.availability.value }
        set { self.availability.value = newValue }
    }

    var endpoint: Endpoint { .vsock(cid: 0, port: 976) }

    func connect() throws -> Int32 {
        self.attempts += 1
        guard self.isAvailable else {
            throw RPCError(
                .openFailed, endpoint: self.endpoint, systemCall: "connect", errorNumber: 104)
        }
        return try UnixSocketConnector(path: self.path).connect()
    }
}

/// A stand-in for the backdoor channel that answers `1 backdoor`.
final class FakeBackdoorChannel: RPCChannel {
    private(set) var sends = 0
    private(set) var closes = 0

    var endpoint: Endpoint { .backdoor }

    func send(_ request: [UInt8]) throws -> RPCReply {
        self.sends += 1
        return .success("backdoor")
    }

    func close() {
        self.closes += 1
    }
}

/// The mutable vsock-then-backdoor channel of PROTOCOL.md §3.2–§3.3, with an injected clock.
@Suite struct AutoChannelTests {
    private var clock = Locked(100.0)
    private let backdoor = FakeBackdoorChannel()

    private func make(_ connector: SwitchableConnector, backdoorCreations: Locked<Int> = Locked(0))
        -> AutoChannel
    {
        let vsock = StreamChannel(
            connector: connector, oneShot: true, logger: .disabled, ioTimeoutSeconds: 5,
            retriesFailedSend: false
        )
        let backdoor = self.backdoor
        let clock = self.clock
        return AutoChannel(
            vsock: vsock,
            makeBackdoor: {
                backdoorCreations.value += 1
                return backdoor
            },
            now: { clock.value }, logger: .disabled
        )
    }

    private func answeringServer() throws -> ScriptedServer {
        try ScriptedServer { connection in
            while connection.readPacket() != nil {
                connection.reply("1 vsock")
            }
        }
    }

    @Test func vsockCarriesRequestsWhenItConnects() throws {
        let server = try self.answeringServer()
        defer { server.stop() }
        let channel = self.make(SwitchableConnector(path: server.path, isAvailable: true))
        #expect(try channel.send("x") == .success("vsock"))
        #expect(channel.mode == .vsock)
        #expect(self.backdoor.sends == 0)
    }

    @Test func failedVSockStartFallsBackToTheBackdoorWithAFourSecondDelay() throws {
        let creations = Locked(0)
        let channel = self.make(
            SwitchableConnector(path: "/nonexistent", isAvailable: false),
            backdoorCreations: creations)
        #expect(try channel.send("x") == .success("backdoor"))
        #expect(channel.mode == .backdoor)
        #expect(channel.backoffSeconds == 4)
        #expect(channel.vsockRetryTime == 104)
        #expect(creations.value == 1)
    }

    @Test func endpointNamesTheTransportInUse() throws {
        let server = try self.answeringServer()
        defer { server.stop() }
        let connector = SwitchableConnector(path: server.path, isAvailable: true)
        let channel = self.make(connector)
        #expect(channel.endpoint == .auto)

        _ = try channel.send("x")
        #expect(channel.endpoint == .vsock(cid: 0, port: 976))

        channel.close()
        connector.isAvailable = false
        _ = try channel.send("x")
        #expect(channel.endpoint == .backdoor)
    }

    @Test func vsockIsNotTriedAgainBeforeTheDelayElapses() throws {
        let connector = SwitchableConnector(path: "/nonexistent", isAvailable: false)
        let channel = self.make(connector)
        _ = try channel.send("x")
        self.clock.value = 103.9
        _ = try channel.send("y")
        #expect(connector.attempts == 1)
        #expect(self.backdoor.sends == 2)
    }

    @Test func laterSendSwitchesBackToVSockOnceTheDelayElapsed() throws {
        let server = try self.answeringServer()
        defer { server.stop() }
        let connector = SwitchableConnector(path: server.path, isAvailable: false)
        let channel = self.make(connector)
        _ = try channel.send("x")
        connector.isAvailable = true
        self.clock.value = 104
        #expect(try channel.send("y") == .success("vsock"))
        #expect(channel.mode == .vsock)
        #expect(self.backdoor.closes == 1)
    }

    @Test func delayDoublesAtEveryFallbackUpToFiveMinutes() throws {
        let channel = self.make(SwitchableConnector(path: "/nonexistent", isAvailable: false))
        var delays: [Double] = []
        for _ in 0..<10 {
            _ = try channel.send("x")
            delays.append(channel.backoffSeconds)
            self.clock.value = channel.vsockRetryTime
        }
        #expect(delays == [4, 8, 16, 32, 64, 128, 256, 300, 300, 300])
    }

    @Test func failedSendRestartsWithTheDelayResetAndResendsOnce() throws {
        let vsockAvailable = Locked(true)
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
            vsockAvailable.value = false
        }
        defer { server.stop() }
        let connector = SwitchableConnector(path: server.path, isAvailable: true)
        connector.availability = vsockAvailable
        let channel = self.make(connector)
        #expect(try channel.send("x") == .success("backdoor"))
        #expect(channel.mode == .backdoor)
        #expect(channel.backoffSeconds == 4)
        #expect(connector.attempts == 2)
        #expect(self.backdoor.sends == 1)
    }

    @Test func secondFailureAfterTheRestartIsThrown() throws {
        let server = try ScriptedServer { connection in
            _ = connection.readPacket()
        }
        defer { server.stop() }
        let connector = SwitchableConnector(path: server.path, isAvailable: true)
        let channel = self.make(connector)
        #expect(throws: RPCError.self) { try channel.send("x") }
        #expect(connector.attempts == 2)
        #expect(channel.backoffSeconds == 2)
        #expect(self.backdoor.sends == 0)
    }

    @Test func backdoorCreationFailureIsThrown() {
        let vsock = StreamChannel(
            connector: SwitchableConnector(path: "/nonexistent", isAvailable: false), oneShot: true,
            logger: .disabled
        )
        let channel = AutoChannel(
            vsock: vsock,
            makeBackdoor: { throw RPCError(.channelUnavailable, endpoint: .backdoor) },
            logger: .disabled
        )
        #expect(throws: RPCError(.channelUnavailable, endpoint: .backdoor)) {
            try channel.send("x")
        }
    }

    @Test func emptyRequestIsRefusedBeforeAnyTransport() {
        let connector = SwitchableConnector(path: "/nonexistent", isAvailable: false)
        let channel = self.make(connector)
        #expect(
            throws: RPCError(
                .invalidRequest, endpoint: .auto, detail: "an empty request is never sent")
        ) {
            try channel.send([UInt8]())
        }
        #expect(connector.attempts == 0)
    }
}

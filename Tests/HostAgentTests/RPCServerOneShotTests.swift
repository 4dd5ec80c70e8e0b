// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import GuestRPC
import HostAgent
import Testing

/// A new connection is read once as it is accepted: a whole fast-close request found there is
/// answered without a connection object, anything else is served as before. To have the request
/// there at the accept, each test holds the VM's loop in a service on a first connection while the
/// second connects and writes, then lets it go.
@Suite("RPCServer: one-shot requests read as their connection is accepted")
struct RPCServerOneShotTests {
    /// A server whose VM `vm1` also answers `hold` (returns once `release` is signalled) and `drop`
    /// (drops the VM's connections, recording how many), and whose first connection holds the loop.
    final class HeldLoop {
        let fixture: ServerFixture
        let holder: TestClient
        let release = DispatchSemaphore(value: 0)
        let dropped = Recorder<Int>()
        let commands = Recorder<String>()

        init(maximumPacketLength: Int = PacketFramer.defaultMaximumLength) throws {
            let commands = self.commands
            let fixture = try ServerFixture(
                vms: [], maximumPacketLength: maximumPacketLength,
                requestObserver: { commands.append($0.command) })
            self.fixture = fixture
            let held = DispatchSemaphore(value: 0)
            let router = EchoService.router()
            router.register(
                command: "hold",
                to: ClosureService { [release] _ in
                    held.signal()
                    _ = release.wait(timeout: .now() + 5)
                    return .success("released")
                })
            router.register(
                command: "drop",
                to: ClosureService { [dropped] request in
                    dropped.append(fixture.server.dropConnections(ofVM: request.vmName))
                    return .success("dropped")
                })
            try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: router)
            self.holder = try fixture.client()
            #expect(try self.holder.request("echo listed") == .success("listed"))
            try self.holder.write(RPCPacket(payload: Array("hold".utf8)).encoded())
            #expect(held.wait(timeout: .now() + 5) == .success)
        }

        /// Lets the loop go and reads the holder's reply: the loop then accepts what waits.
        func releaseLoop() throws {
            self.release.signal()
            #expect(try self.holder.readReply() == .success("released"))
        }
    }

    @Test func wholeOneShotRequestPresentAtAcceptIsAnsweredCountedAndClosed() throws {
        let held = try HeldLoop()
        let client = try held.fixture.client()
        try client.write(RPCPacket(payload: Array("echo ready".utf8), fastClose: true).encoded())

        try held.releaseLoop()

        #expect(try client.readReply() == .success("ready"))
        #expect(try client.readsEndOfStream())
        #expect(held.fixture.waitUntil { held.fixture.server.statistics.connectionsOpen == 1 })
        let statistics = held.fixture.server.statistics
        #expect(statistics.connectionsAccepted == 2)
        #expect(statistics.requestsByVM == ["vm1": 3])
        #expect(held.commands.values == ["echo", "hold", "echo"])
    }

    @Test func keptRequestPresentAtAcceptIsAnsweredAndTheConnectionStays() throws {
        let held = try HeldLoop()
        let client = try held.fixture.client()
        try client.write(RPCPacket(payload: Array("echo first".utf8)).encoded())

        try held.releaseLoop()

        #expect(try client.readReply() == .success("first"))
        #expect(try client.request("echo second", fastClose: true) == .success("second"))
        #expect(try client.readsEndOfStream())
    }

    @Test func oneShotRequestArrivingInTwoPiecesIsAnswered() throws {
        let held = try HeldLoop()
        let packet = RPCPacket(payload: Array("echo pieces".utf8), fastClose: true).encoded()
        let client = try held.fixture.client()
        try client.write(Array(packet[..<10]))

        try held.releaseLoop()
        // The holder's next reply comes after the loop's turn that accepted the client and read its first piece.
        #expect(try held.holder.request("echo turn") == .success("turn"))
        try client.write(Array(packet[10...]))

        #expect(try client.readReply() == .success("pieces"))
        #expect(try client.readsEndOfStream())
    }

    @Test func wholeOneShotRequestArrivingAfterTheAcceptIsAnsweredCountedAndClosed() throws {
        let held = try HeldLoop()
        let client = try held.fixture.client()

        try held.releaseLoop()
        // The holder's next reply comes after the loop's turn that accepted the client and found nothing to read.
        #expect(try held.holder.request("echo turn") == .success("turn"))
        try client.write(RPCPacket(payload: Array("echo late".utf8), fastClose: true).encoded())

        #expect(try client.readReply() == .success("late"))
        #expect(try client.readsEndOfStream())
        #expect(held.fixture.waitUntil { held.fixture.server.statistics.connectionsOpen == 1 })
        #expect(held.fixture.server.statistics.requestsByVM == ["vm1": 4])
        #expect(held.commands.values == ["echo", "hold", "echo", "echo"])
    }

    @Test func serviceDroppingItsVMsConnectionsWhileAnsweringALateOneShotRequestSendsNoReply() throws {
        let held = try HeldLoop()
        let client = try held.fixture.client()

        try held.releaseLoop()
        #expect(try held.holder.request("echo turn") == .success("turn"))
        try client.write(RPCPacket(payload: Array("drop".utf8), fastClose: true).encoded())

        #expect(try client.readsEndOfStream())
        #expect(try held.holder.readsEndOfStream())
        // The service records the count after the drop has closed both sockets and logged.
        #expect(poll(seconds: 5) { held.dropped.values == [2] })
        #expect(held.fixture.waitUntil { held.fixture.server.statistics.connectionsOpen == 0 })
    }

    @Test func twoRequestsPresentAtAcceptAreBothAnswered() throws {
        let held = try HeldLoop()
        let client = try held.fixture.client()
        let first = RPCPacket(payload: Array("echo one".utf8)).encoded()
        let second = RPCPacket(payload: Array("echo two".utf8), fastClose: true).encoded()
        try client.write(first + second)

        try held.releaseLoop()

        #expect(try client.readReply() == .success("one"))
        #expect(try client.readReply() == .success("two"))
        #expect(try client.readsEndOfStream())
    }

    @Test func oversizedLengthPresentAtAcceptIsRejectedAsBefore() throws {
        let held = try HeldLoop(maximumPacketLength: 64)
        let client = try held.fixture.client()
        let packet = RPCPacket(payload: Array(repeating: UInt8(ascii: "e"), count: 80), fastClose: true).encoded()
        try client.write(packet)

        try held.releaseLoop()

        #expect(try client.readsEndOfStream())
        #expect(held.fixture.server.statistics.badPackets == [.oversizedLength: 1])
        let rejections = held.fixture.entries(where: "reason", is: BadPacketReason.oversizedLength.rawValue)
        #expect(rejections.map(\.message) == ["closing connection after a bad packet"])
        #expect(try held.holder.request("echo still") == .success("still"))
    }

    @Test func malformedOneShotRequestPresentAtAcceptIsRejectedAsBefore() throws {
        let held = try HeldLoop()
        let client = try held.fixture.client()
        try client.write([0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 1])

        try held.releaseLoop()

        #expect(try client.readsEndOfStream())
        #expect(held.fixture.server.statistics.badPackets == [.malformedDataMap: 1])
    }

    @Test func oneShotReplyLargerThanTheSocketTakesAtOnceIsSentWhole() throws {
        let held = try HeldLoop()
        let client = try held.fixture.client()
        try client.write(RPCPacket(payload: Array("fill 4000000".utf8), fastClose: true).encoded())

        try held.releaseLoop()

        let reply = try client.readReply()
        #expect(reply.payload.count == 4_000_000)
        #expect(try client.readsEndOfStream())
        #expect(held.fixture.waitUntil { held.fixture.server.statistics.connectionsOpen == 1 })
    }

    @Test func serviceDroppingItsVMsConnectionsWhileAnsweringAOneShotRequestSendsNoReply() throws {
        let held = try HeldLoop()
        let client = try held.fixture.client()
        try client.write(RPCPacket(payload: Array("drop".utf8), fastClose: true).encoded())

        try held.releaseLoop()

        #expect(try client.readsEndOfStream())
        #expect(try held.holder.readsEndOfStream())
        // The service records the count after the drop has closed both sockets and logged.
        #expect(poll(seconds: 5) { held.dropped.values == [2] })
        #expect(held.fixture.waitUntil { held.fixture.server.statistics.connectionsOpen == 0 })
    }
}

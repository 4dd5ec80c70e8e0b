// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent
import Testing

/// PROTOCOL.md §17 pitfall 10, host side: heartbeats on the connection kept open since `Enable` are
/// honoured, over a real Unix socket, with no false red.
@Suite("AppMonitorService over a kept Unix-socket connection")
final class AppMonitorKeptConnectionTests {
    let fixture: HAEngineFixture
    let stateDirectory: String
    let server: RPCServer

    init() throws {
        self.fixture = try HAEngineFixture()
        self.stateDirectory = NSTemporaryDirectory() + "haengine-kept-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: self.stateDirectory, withIntermediateDirectories: true)
        let router = Router()
        router.register(
            prefix: AppMonitorService.commandPrefix, to: AppMonitorService(engine: self.fixture.engine))
        self.server = RPCServer(
            configuration: RPCServer.Configuration(stateDirectory: self.stateDirectory), logger: .disabled)
        try self.server.addVM(VMEndpointConfiguration(name: HAEngineFixture.vm), router: router)
    }

    deinit {
        self.server.stop()
        try? FileManager.default.removeItem(atPath: self.stateDirectory)
    }

    @Test func heartbeatsOnTheKeptConnectionAreHonouredWithoutAFalseRed() throws {
        let path = self.server.socketPath(forVM: HAEngineFixture.vm)
        let channel = try RPCChannelFactory.makeChannel(for: .unix(path: path), oneShot: false, logger: .disabled)
        defer { channel.close() }
        #expect(try channel.send("GuestAppMonitor.Cmd.Enable").wireBytes == Array("1 0".utf8))
        for _ in 0..<200 {
            self.fixture.advance(.seconds(29))
            #expect(try channel.send("GuestAppMonitor.Cmd.MarkActive").wireBytes == Array("1 0".utf8))
        }
        #expect(try channel.send("GuestAppMonitor.Cmd.GetAppStatus").wireBytes == Array("1 green".utf8))
        #expect(self.fixture.names == ["enabled"])
        #expect(try self.fixture.state.heartbeatsReceived == 200)
        #expect(self.server.statistics.connectionsAccepted == 1)
    }
}

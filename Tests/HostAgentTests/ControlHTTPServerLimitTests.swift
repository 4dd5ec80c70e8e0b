// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import GuestRPC
import Testing

@testable import HostAgent

/// The control server's connection limits: one client address cannot hold every connection, idle
/// connections are closed, and refusals are logged. All connections are loopback TCP; the kernel
/// queues them in connect order and libmicrohttpd accepts them in that order, so which
/// connection is refused does not depend on timing.
@Suite("ControlHTTPServer: connection limits")
struct ControlHTTPServerLimitTests {
    static let limits = ControlConnectionLimits(
        connections: 3, connectionsPerClientAddress: 2, idleTimeoutSeconds: 10, warningInterval: .seconds(60))

    let log = InMemoryLog()
    let clock = ManualClock()

    func makeServer(limits: ControlConnectionLimits = Self.limits) throws -> ControlHTTPServer {
        try ControlHTTPServer(limits: limits, clock: self.clock, logger: self.log.logger(minimumLevel: .info)) { _ in
            .json(["answered": true])
        }
    }

    @Test func connectionsOverThePerAddressLimitAreClosedAtOnceAndTheHeldOnesAnswered() throws {
        let server = try self.makeServer()
        let held = try (0..<2).map { _ in try ControlConnection(port: server.port) }

        let refused = try ControlConnection(port: server.port)

        #expect(try refused.client.readsEndOfStream())
        for connection in held {
            #expect(try connection.statusLine() == "HTTP/1.1 200")
        }
        #expect(server.connectionsRefused == 1)
    }

    @Test func anotherClientAddressIsAnsweredWhileOneHoldsItsLimit() throws {
        let server = try self.makeServer()
        let held = try (0..<2).map { _ in try ControlConnection(port: server.port) }
        #expect(try ControlConnection(port: server.port).client.readsEndOfStream())

        let other = try ControlConnection(port: server.port, from: "127.0.0.2")

        #expect(try other.statusLine() == "HTTP/1.1 200")
        withExtendedLifetime(held) {}
    }

    @Test func refusalsAreWarnedAboutOnceAnIntervalWithTheirCount() throws {
        let server = try self.makeServer()
        let held = try (0..<2).map { _ in try ControlConnection(port: server.port) }

        for _ in 0..<3 {
            #expect(try ControlConnection(port: server.port).client.readsEndOfStream())
        }
        self.clock.advance(by: .seconds(60))
        #expect(try ControlConnection(port: server.port).client.readsEndOfStream())

        let warnings = self.log.entries.filter { $0.level == .warning }
        #expect(warnings.map { $0[field: "refused"] } == ["1", "3"])
        #expect(warnings.last?[field: "refusedTotal"] == "4")
        #expect(warnings.last?[field: "limitPerClientAddress"] == "2")
        #expect(warnings.last?[field: "listener"] == "127.0.0.1:\(server.port)")
        #expect(
            warnings.last?.message == "control API refused connections: one client address holds as many as it may")
        withExtendedLifetime(held) {}
    }

    @Test func aFullListenerIsWarnedAbout() throws {
        let server = try self.makeServer()
        let held = try (0..<2).map { _ in try ControlConnection(port: server.port) }

        let third = try ControlConnection(port: server.port, from: "127.0.0.2")
        #expect(try third.statusLine() == "HTTP/1.1 200")

        let warnings = self.log.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?[field: "limit"] == "3")
        #expect(
            warnings.first?.message == "control API full: new connections wait in the listen backlog until one closes")
        withExtendedLifetime(held) {}
    }

    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() throws {
        var limits = Self.limits
        limits.idleTimeoutSeconds = 1
        let server = try self.makeServer(limits: limits)

        let idle = try ControlConnection(port: server.port)

        // The client's own 5-second receive timeout bounds the wait; the server closes after 1 s.
        #expect(try idle.client.readsEndOfStream())
    }

    @Test func aLibraryMessageOtherThanARefusalIsLoggedAtDebugAndNotCounted() {
        let monitor = ControlConnectionMonitor(
            listener: "127.0.0.1:1", limits: Self.limits, clock: self.clock, logger: self.log.logger())

        monitor.record(libraryMessage: "Error processing request data: something odd.\n")

        #expect(monitor.refusedConnections == 0)
        #expect(self.log.entries.map(\.level) == [.debug])
        #expect(self.log.entries.first?.message == "libmicrohttpd: Error processing request data: something odd.")
    }
}

/// One TCP connection to the control server on 127.0.0.1, optionally from another loopback
/// source address.
struct ControlConnection {
    let client: TestClient

    init(port: UInt16, from source: String? = nil) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestClientError.call("socket") }
        do {
            if let source { try Self.bind(descriptor, to: source) }
            try Self.connect(descriptor, port: port)
        } catch {
            _ = close(descriptor)
            throw error
        }
        self.client = TestClient(descriptor: descriptor)
    }

    /// Sends one request that closes the connection and returns the reply's status line.
    func statusLine() throws -> String {
        try self.client.write(Array("GET /limits HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n".utf8))
        let start = try self.client.read(count: 12) ?? []
        return String(decoding: start, as: UTF8.self)
    }

    private static func bind(_ descriptor: Int32, to source: String) throws {
        var address = Self.address(source, port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw TestClientError.call("bind") }
    }

    private static func connect(_ descriptor: Int32, port: UInt16) throws {
        var address = Self.address("127.0.0.1", port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestClientError.call("connect") }
    }

    private static func address(_ text: String, port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, text, &address.sin_addr)
        return address
    }
}

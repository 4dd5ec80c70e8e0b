// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import HostAgent
import Testing

/// The control API answers only callers with the token, and only on loopback.
@Suite("Control API: token and loopback")
struct ControlAPIAccessTests {
    @Test func aRequestWithoutTheTokenIsRefusedWith401() throws {
        let fixture = try DaemonFixture()
        var client = try fixture.controlClient()
        client.token = nil

        let response = try client.send("GET", "/v1/vms")

        #expect(response.status == 401)
        #expect(response.text == #"{"error":"missing or wrong bearer token"}"# + "\n")
    }

    @Test func aRequestWithAWrongTokenOfTheSameLengthIsRefusedWith401() throws {
        let fixture = try DaemonFixture()
        let right = fixture.daemon.token.value
        let wrong = String(right.dropLast()) + (right.last == "0" ? "1" : "0")

        let response = try fixture.controlClient(token: wrong).send("GET", "/v1/vms")

        #expect(response.status == 401)
    }

    @Test func aRequestWithATokenPrefixIsRefusedWith401() throws {
        let fixture = try DaemonFixture()

        let response = try fixture.controlClient(token: String(fixture.daemon.token.value.prefix(10)))
            .send("GET", "/v1/vms")

        #expect(response.status == 401)
    }

    @Test func aRefusedRequestChangesNothing() throws {
        let fixture = try DaemonFixture()

        let response = try fixture.controlClient(token: "nope").send("DELETE", "/v1/vms/vm1")

        #expect(response.status == 401)
        #expect(fixture.daemon.vmNames == ["vm1"])
    }

    @Test func aRequestWithTheTokenIsAnswered() throws {
        let fixture = try DaemonFixture()

        let response = try fixture.controlClient().send("GET", "/v1/vms")

        #expect(response.status == 200)
        #expect(response.text.hasPrefix(#"{"vms":[{"appHeartbeatStatus":"appStatusGray","#))
    }

    @Test func theTokenFileIsPrivateAndHoldsSixtyFourHexDigits() throws {
        let fixture = try DaemonFixture()
        let path = fixture.directory + "/" + ControlToken.fileName
        var status = stat()

        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        let token = try ControlToken.read(path: path).value
        #expect(token.count == 64)
        #expect(token.allSatisfy { $0.isHexDigit })
        #expect(token == fixture.daemon.token.value)
    }

    @Test func aTokenFileOthersCanReadIsRefused() throws {
        let directory = try DaemonFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try ControlToken.loadOrCreate(inDirectory: directory)
        #expect(chmod(directory + "/" + ControlToken.fileName, 0o644) == 0)

        #expect(throws: ControlTokenError.self) { try ControlToken.loadOrCreate(inDirectory: directory) }
    }

    @Test func theListeningSocketIsBoundToTheLoopbackAddress() throws {
        let fixture = try DaemonFixture()
        let port = try #require(fixture.daemon.controlPort)

        let local = try #require(Self.listeningAddresses(port: port))

        #expect(local == ["0100007F"], "/proc/net/tcp lists 127.0.0.1 in little-endian hex")
    }

    @Test(arguments: ["0.0.0.0", "::", "192.0.2.1", "localhost"])
    func aNonLoopbackListenAddressIsRefused(address: String) {
        #expect(throws: ControlServerError.self) {
            _ = try ControlHTTPServer(addresses: [address], logger: .disabled) { _ in .text("") }
        }
    }

    @Test(
        .enabled(if: ControlAPIAccessTests.nonLoopbackAddress() != nil, "the machine has no non-loopback IPv4 address"))
    func theControlPortIsNotReachableOnTheMachinesOtherAddress() throws {
        let fixture = try DaemonFixture()
        let port = try #require(fixture.daemon.controlPort)
        let address = try #require(Self.nonLoopbackAddress())

        #expect(throws: ControlClientError.self) {
            _ = try ControlClient(address: address, port: port, token: fixture.daemon.token.value, timeout: 2)
                .send("GET", "/v1/vms")
        }
        #expect(try fixture.controlClient().send("GET", "/v1/vms").status == 200)
    }

    /// The local addresses (hex, as /proc/net/tcp writes them) of the sockets listening on `port`.
    static func listeningAddresses(port: UInt16) -> [String]? {
        guard let text = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return nil }
        let portHex = String(format: "%04X", port)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let columns = line.split(separator: " ")
            guard columns.count > 3, columns[3] == "0A" else { return nil }
            let local = columns[1].split(separator: ":")
            return local.count == 2 && local[1] == portHex ? String(local[0]) : nil
        }
    }

    /// An IPv4 address of this machine outside 127.0.0.0/8, if it has one (from getifaddrs).
    static func nonLoopbackAddress() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var entry: UnsafeMutablePointer<ifaddrs>? = first
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else {
                continue
            }
            var inet = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard UInt32(bigEndian: inet.s_addr) >> 24 != 127 else { continue }
            var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            guard inet_ntop(AF_INET, &inet, &buffer, socklen_t(buffer.count)) != nil else { continue }
            return String(cString: buffer)
        }
        return nil
    }
}

extension ControlAPIAccessTests {
    /// True when this machine can bind the IPv6 loopback address.
    static var hasIPv6Loopback: Bool {
        guard let server = try? ControlHTTPServer(addresses: ["::1"], logger: .disabled, handler: { _ in .text("") })
        else { return false }
        server.stop()
        return true
    }

    @Test(.enabled(if: ControlAPIAccessTests.hasIPv6Loopback, "no IPv6 loopback on this machine"))
    func bothLoopbackAddressesListenOnOnePort() throws {
        let server = try ControlHTTPServer(addresses: ["127.0.0.1", "::1"], logger: .disabled) { request in
            .text(request.path)
        }
        defer { server.stop() }

        let reply = try ControlClient(port: server.port, token: nil).send("GET", "/ping")

        #expect(reply.text == "/ping")
        #expect(Self.listeningAddresses(port: server.port) == ["0100007F"])
        let v6 = (try? String(contentsOfFile: "/proc/net/tcp6", encoding: .utf8)) ?? ""
        let portHex = String(format: ":%04X ", server.port)
        let listening = v6.split(separator: "\n").filter { $0.contains(portHex) && $0.contains(" 0A ") }
        #expect(listening.count == 1)
        #expect(listening.first?.contains("00000000000000000000000001000000" + portHex) == true)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import GuestRPC
import HostAgent
import Testing

/// Runs a Python client as the unprivileged user `nobody` (uid 65534) through `setpriv`.
///
/// The client sends each request in turn on one connection and prints each reply's
/// payload (`1 …`/`0 …`) on its own line; it exits non-zero on EOF or a timeout.
enum UnprivilegedClient {
    static let setpriv = "/usr/bin/setpriv"

    static var python: String? {
        ["/usr/bin/python3", "/usr/local/bin/python3"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// True when the test can switch users: running as root, with setpriv and a system python3.
    static var isAvailable: Bool {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: setpriv) && python != nil
    }

    static let script = """
        import socket, struct, sys
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(5)
        sock.connect(sys.argv[1])
        def read(count):
            data = b''
            while len(data) < count:
                chunk = sock.recv(count - len(data))
                if not chunk:
                    sys.exit('server closed the connection')
                data += chunk
            return data
        for request in sys.argv[2:]:
            payload = request.encode()
            body = struct.pack('>iiII', 1, 1, 1, 0)
            body += struct.pack('>iii', 2, 2, len(payload)) + payload
            sock.sendall(struct.pack('>I', len(body)) + body)
            body = read(struct.unpack('>I', read(4))[0])
            offset = 0
            while offset < len(body):
                kind, field = struct.unpack('>ii', body[offset:offset + 8])
                offset += 8
                if kind == 1:
                    offset += 8
                    continue
                length = struct.unpack('>i', body[offset:offset + 4])[0]
                offset += 4
                if field == 2:
                    print(body[offset:offset + length].decode())
                offset += length
        """

    /// Runs the client against `path` as nobody and returns what it printed and its exit status.
    static func run(path: String, requests: [String]) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: setpriv)
        process.arguments =
            ["--reuid=65534", "--regid=65534", "--clear-groups", python!, "-c", script, path]
            + requests
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }
}

@Suite(
    "RPCServer: the secure channel",
    .enabled(
        if: UnprivilegedClient.isAvailable, "needs root, /usr/bin/setpriv and /usr/bin/python3")
)
struct RPCServerSecureChannelTests {
    static let nobody = SocketOwner(userID: 65534, groupID: 65534)

    @Test func secureChannelRefusesANonRootPeerAndKeepsTheConnectionOpen() throws {
        let vm = VMEndpointConfiguration(
            name: "secure1", socketOwner: Self.nobody, secureChannel: true)
        let fixture = try ServerFixture(vms: [vm])

        let result = try UnprivilegedClient.run(
            path: fixture.path("secure1"), requests: ["whoami", "echo x"])

        #expect(result.output == "0 Permission denied\n0 Permission denied\n")
        #expect(result.status == 0)
        #expect(fixture.server.statistics.refusedRequests == 2)
    }

    @Test func secureChannelAnswersARootPeer() throws {
        let vm = VMEndpointConfiguration(
            name: "secure1", socketOwner: Self.nobody, secureChannel: true)
        let fixture = try ServerFixture(vms: [vm])

        let reply = try fixture.client("secure1").request("whoami")

        #expect(reply == .success("secure1 privileged=true"))
        #expect(fixture.server.statistics.refusedRequests == 0)
    }

    @Test func nonSecureVMAnswersANonRootPeerAsUnprivileged() throws {
        let fixture = try ServerFixture(vms: [
            VMEndpointConfiguration(name: "open1", socketOwner: Self.nobody)
        ])

        let result = try UnprivilegedClient.run(path: fixture.path("open1"), requests: ["whoami"])

        #expect(result.output == "1 open1 privileged=false\n")
    }

    @Test func faultTolerantVMIgnoresTheSecureChannelWithAWarning() throws {
        let vm = VMEndpointConfiguration(
            name: "ft1", socketOwner: Self.nobody, secureChannel: true, faultTolerant: true)
        let fixture = try ServerFixture(vms: [vm])

        let result = try UnprivilegedClient.run(path: fixture.path("ft1"), requests: ["whoami"])

        #expect(result.output == "1 ft1 privileged=false\n")
        let warnings = fixture.log.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?[field: "vm"] == "ft1")
        #expect(
            warnings.first?.message
                == "secure channel ignored: vSphere supports only the non-secure channel for fault-tolerant VMs"
        )
    }

    @Test func nobodyCannotConnectToAnotherUsersSocket() throws {
        let fixture = try ServerFixture()

        let result = try UnprivilegedClient.run(path: fixture.path("vm1"), requests: ["whoami"])

        #expect(result.output == "")
        #expect(result.status != 0)
    }
}

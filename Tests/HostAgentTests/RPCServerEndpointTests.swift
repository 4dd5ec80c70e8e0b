// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import GuestRPC
import HostAgent
import Testing

@Suite("RPCServer: socket files and VMs added and removed at runtime")
struct RPCServerEndpointTests {
    static let nobody = SocketOwner(userID: 65534, groupID: 65534)

    private func status(of path: String) throws -> stat {
        var status = stat()
        guard lstat(path, &status) == 0 else { throw TestClientError.call("lstat \(path)") }
        return status
    }

    @Test(.enabled(if: geteuid() == 0, "chown to another user needs root"))
    func socketFileIsMode0600AndOwnedByTheConfiguredOwner() throws {
        let fixture = try ServerFixture(vms: [
            VMEndpointConfiguration(name: "vm1", socketOwner: Self.nobody)
        ])

        let status = try self.status(of: fixture.path())

        #expect(status.st_mode & S_IFMT == S_IFSOCK)
        #expect(status.st_mode & 0o7777 == 0o600)
        #expect(status.st_uid == 65534)
        #expect(status.st_gid == 65534)
    }

    @Test func socketFileIsOwnedByTheAgentsUserByDefault() throws {
        let fixture = try ServerFixture()

        let status = try self.status(of: fixture.path())

        #expect(status.st_mode & 0o7777 == 0o600)
        #expect(status.st_uid == geteuid())
        #expect(status.st_gid == getegid())
    }

    @Test func staleSocketFileIsReplaced() throws {
        let fixture = try ServerFixture()
        fixture.server.removeVM(named: "vm1")
        let path = fixture.path("vm1")
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        close(stale)
        #expect(bound == 0)
        #expect(throws: TestClientError.self) { try TestClient(path: path) }

        try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: EchoService.router())

        #expect(try fixture.client().request("echo fresh") == .success("fresh"))
    }

    @Test func socketOfARunningServerIsNotReplaced() throws {
        let first = try ServerFixture()
        let configuration = RPCServer.Configuration(stateDirectory: first.stateDirectory)
        let second = RPCServer(configuration: configuration, logger: .disabled)

        #expect {
            try second.addVM(VMEndpointConfiguration(name: "vm1"), router: Router())
        } throws: { error in
            (error as? RPCServerError)?.kind == .socketInUse
        }
        #expect(try first.client().request("echo mine") == .success("mine"))
    }

    @Test func fileThatIsNotASocketIsNeverReplaced() throws {
        let fixture = try ServerFixture(vms: [])
        try FileManager.default.createDirectory(
            atPath: fixture.stateDirectory + "/vms", withIntermediateDirectories: true)
        let path = fixture.path("vm1")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))

        #expect {
            try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: Router())
        } throws: { error in
            (error as? RPCServerError)?.kind == .pathOccupied
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test(arguments: ["", ".", "..", "a/b"])
    func unusableVMNameIsRejected(_ name: String) throws {
        let fixture = try ServerFixture(vms: [])

        #expect {
            try fixture.server.addVM(VMEndpointConfiguration(name: name), router: Router())
        } throws: { error in
            (error as? RPCServerError)?.kind == .invalidVMName
        }
    }

    @Test func secondVMOfTheSameNameIsRejected() throws {
        let fixture = try ServerFixture()

        #expect {
            try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: Router())
        } throws: { error in
            (error as? RPCServerError)?.kind == .duplicateVM
        }
        #expect(try fixture.client().request("echo still") == .success("still"))
    }

    @Test func secondVMWithTheSameCIDIsRejected() throws {
        let fixture = try ServerFixture(vms: [VMEndpointConfiguration(name: "kvm1", vsockCID: 3)])

        #expect {
            try fixture.server.addVM(
                VMEndpointConfiguration(name: "kvm2", vsockCID: 3), router: Router())
        } throws: { error in
            (error as? RPCServerError)?.kind == .duplicateCID
        }
    }

    @Test func vmAddedWhileServingIsAnsweredUnderItsOwnName() throws {
        let fixture = try ServerFixture()
        let first = try fixture.client()
        #expect(try first.request("whoami") == .success("vm1 privileged=true"))

        try fixture.server.addVM(VMEndpointConfiguration(name: "vm2"), router: EchoService.router())

        #expect(try fixture.client("vm2").request("whoami") == .success("vm2 privileged=true"))
        #expect(try first.request("whoami") == .success("vm1 privileged=true"))
        #expect(fixture.server.vmNames == ["vm1", "vm2"])
    }

    @Test func removingAVMClosesItsConnectionsAndSocketOnly() throws {
        let fixture = try ServerFixture(vms: [
            VMEndpointConfiguration(name: "vm1"), VMEndpointConfiguration(name: "vm2"),
        ])
        let doomed = try fixture.client("vm1")
        let survivor = try fixture.client("vm2")
        #expect(try doomed.request("echo 1") == .success("1"))

        fixture.server.removeVM(named: "vm1")

        #expect(try doomed.readsEndOfStream())
        #expect(!FileManager.default.fileExists(atPath: fixture.path("vm1")))
        #expect(throws: TestClientError.self) { try TestClient(path: fixture.path("vm1")) }
        #expect(try survivor.request("echo 2") == .success("2"))
        #expect(fixture.server.vmNames == ["vm2"])
    }

    @Test func removedVMCanBeAddedAgain() throws {
        let fixture = try ServerFixture()
        fixture.server.removeVM(named: "vm1")

        try fixture.server.addVM(VMEndpointConfiguration(name: "vm1"), router: EchoService.router())

        #expect(try fixture.client().request("echo again") == .success("again"))
    }

    @Test func stopClosesConnectionsAndRemovesEverySocketFile() throws {
        let fixture = try ServerFixture(vms: [
            VMEndpointConfiguration(name: "vm1"), VMEndpointConfiguration(name: "vm2"),
        ])
        let client = try fixture.client("vm2")
        #expect(try client.request("echo 1") == .success("1"))

        fixture.server.stop()

        #expect(try client.readsEndOfStream())
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: fixture.stateDirectory + "/vms")
                == [])
        #expect(fixture.server.vmNames == [])
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import Testing

@testable import GuestRPC

/// The connect algorithm of PROTOCOL.md §4.1–§4.2 against a scripted system: no vsock socket is connected.
@Suite struct VSockConnectorTests {
    private let system = ScriptedVSockSystem()
    private let usability = VSockUsability()

    private func connector(cid: UInt32 = 0, port: UInt32 = 976) -> VSockConnector {
        VSockConnector(
            cid: cid, port: port, system: self.system, usability: self.usability, logger: .disabled)
    }

    private func expectOpenFailed(call: String?, errno number: Int32?, detail: String? = nil) {
        let connector = self.connector()
        #expect(
            throws: RPCError(
                .openFailed, endpoint: .vsock(cid: 0, port: 976), systemCall: call,
                errorNumber: number, detail: detail
            )
        ) {
            try connector.connect()
        }
    }

    @Test func socketAddressHasTheLinuxSockaddrVMLayout() {
        let address = VSockAddress(family: 40, port: 1023, cid: 0xFFFF_FFFF)
        #expect(
            address.bytes == [40, 0, 0, 0, 0xFF, 0x03, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        #expect(
            VSockAddress(family: 40, port: 976, cid: 0).bytes == [
                40, 0, 0, 0, 0xD0, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ])
    }

    @Test func firstPrivilegedPortConnects() throws {
        self.system.localCID = 7
        let connector = self.connector()
        let socket = try connector.connect()
        #expect(connector.channelType == .privileged)
        #expect(
            self.system.calls == [
                "socket(40, dgram)", "close", "ioctl(1977)", "socket(40, stream)", "bind(7:1023)",
                "connect(0:976)",
            ]
        )
        #expect(self.system.openDescriptors == [socket])
        #expect(self.system.binds[0].family == 40)
    }

    @Test func missingLocalCIDBindsToAnyCID() throws {
        _ = try self.connector().connect()
        #expect(self.system.binds == [VSockAddress(family: 40, port: 1023, cid: 0xFFFF_FFFF)])
    }

    @Test func failedProbeAsksTheDeviceForTheFamily() throws {
        self.system.probeFails = true
        self.system.deviceFamily = 41
        _ = try self.connector().connect()
        #expect(
            self.system.calls.prefix(4) == [
                "socket(40, dgram)", "ioctl(1976)", "ioctl(1977)", "socket(41, stream)",
            ])
        #expect(self.system.connects == [VSockAddress(family: 41, port: 976, cid: 0)])
    }

    @Test func noAddressFamilyFailsWithoutAConnection() {
        self.system.probeFails = true
        self.system.streamSocketError = EAFNOSUPPORT
        self.expectOpenFailed(
            call: nil, errno: nil, detail: "the vsock address family is not available")
        #expect(self.system.calls == ["socket(40, dgram)", "ioctl(1976)", "socket(40, stream)"])
    }

    @Test func streamOnlyTransportIsFoundByAStreamProbe() throws {
        self.system.probeFails = true
        _ = try self.connector().connect()
        #expect(
            self.system.calls.prefix(5) == [
                "socket(40, dgram)", "ioctl(1976)", "socket(40, stream)", "close", "ioctl(1977)",
            ]
        )
        #expect(self.system.connects == [VSockAddress(family: 40, port: 976, cid: 0)])
    }

    @Test func addressInUseMovesToTheNextLowerPort() throws {
        self.system.bindErrors = [EADDRINUSE, EADDRINUSE]
        _ = try self.connector().connect()
        #expect(self.system.binds.map(\.port) == [1023, 1022, 1021])
        #expect(self.system.connects.count == 1)
        #expect(self.system.openDescriptors.count == 1)
    }

    @Test func everyPortInUseFailsAfterPortOne() {
        self.system.bindErrors = [Int32](repeating: EADDRINUSE, count: 1023)
        self.expectOpenFailed(
            call: nil, errno: nil, detail: "every privileged local port from 1023 to 1 is in use")
        #expect(self.system.binds.count == 1023)
        #expect(self.system.binds.last?.port == 1)
        #expect(self.system.connects.isEmpty)
        #expect(self.system.openDescriptors.isEmpty)
    }

    @Test func sevenConnectionResetsMoveDownAndTheEighthAttemptConnects() throws {
        self.system.connectErrors = [Int32](repeating: ECONNRESET, count: 7)
        _ = try self.connector().connect()
        #expect(self.system.binds.map(\.port) == Array((1016...1023).reversed()))
        #expect(self.usability.isUsable)
    }

    @Test func eighthConnectionResetGivesUpAndClearsTheUsableFlag() {
        self.system.connectErrors = [Int32](repeating: ECONNRESET, count: 8)
        self.expectOpenFailed(call: "connect", errno: ECONNRESET)
        #expect(self.system.connects.count == 8)
        #expect(!self.usability.isUsable)
        #expect(self.system.openDescriptors.isEmpty)
    }

    @Test func connectionResetWhileTheFlagIsClearIsFatal() {
        self.usability.isUsable = false
        self.system.connectErrors = [ECONNRESET]
        self.expectOpenFailed(call: "connect", errno: ECONNRESET)
        #expect(self.system.connects.count == 1)
    }

    @Test func successfulConnectSetsTheUsableFlagAgain() throws {
        self.usability.isUsable = false
        _ = try self.connector().connect()
        #expect(self.usability.isUsable)
    }

    @Test func interruptedConnectRetriesTheSamePortWithoutLimit() throws {
        self.system.connectErrors = [Int32](repeating: EINTR, count: 50)
        _ = try self.connector().connect()
        #expect(self.system.binds.count == 51)
        #expect(Set(self.system.binds.map(\.port)) == [1023])
        #expect(self.system.pauses == 0)
    }

    @Test func fourNoBufferFailuresPauseAndRetryTheSamePort() throws {
        self.system.connectErrors = [ENOBUFS, ENOBUFS, ENOBUFS, ENOBUFS]
        _ = try self.connector().connect()
        #expect(self.system.pauses == 4)
        #expect(Set(self.system.binds.map(\.port)) == [1023])
        #expect(
            self.system.calls.filter { $0.hasPrefix("pause") }
                == [String](repeating: "pause(1)", count: 4))
    }

    @Test func fifthNoBufferFailureGivesUp() {
        self.system.connectErrors = [Int32](repeating: ENOBUFS, count: 5)
        self.expectOpenFailed(call: "connect", errno: ENOBUFS)
        #expect(self.system.connects.count == 5)
        #expect(self.system.pauses == 4)
    }

    @Test(arguments: [ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, EACCES])
    func anyOtherConnectErrorGivesUpAtOnce(number: Int32) {
        self.system.connectErrors = [number]
        self.expectOpenFailed(call: "connect", errno: number)
        #expect(self.system.connects.count == 1)
        #expect(self.system.binds.count == 1)
    }

    @Test func bindRefusedWithEACCESTriesOneUnprivilegedConnect() throws {
        self.system.localCID = 3
        self.system.bindErrors = [EACCES]
        let connector = self.connector()
        let socket = try connector.connect()
        #expect(connector.channelType == .unprivileged)
        #expect(
            self.system.binds == [
                VSockAddress(family: 40, port: 1023, cid: 3),
                VSockAddress(family: 40, port: 0xFFFF_FFFF, cid: 3),
            ]
        )
        #expect(self.system.connects == [VSockAddress(family: 40, port: 976, cid: 0)])
        #expect(self.system.openDescriptors == [socket])
    }

    @Test func failedUnprivilegedConnectIsNotRetried() {
        self.system.bindErrors = [EACCES]
        self.system.connectErrors = [ECONNRESET]
        self.expectOpenFailed(call: "connect", errno: ECONNRESET)
        #expect(self.system.connects.count == 1)
        #expect(self.system.openDescriptors.isEmpty)
    }

    @Test func failedUnprivilegedBindIsReported() {
        self.system.bindErrors = [EACCES, EADDRNOTAVAIL]
        self.expectOpenFailed(call: "bind", errno: EADDRNOTAVAIL)
        #expect(self.system.connects.isEmpty)
    }

    @Test(arguments: [EPERM, EADDRNOTAVAIL, EINVAL])
    func otherBindErrorsGiveUpWithoutTheUnprivilegedAttempt(number: Int32) {
        self.system.bindErrors = [number]
        self.expectOpenFailed(call: "bind", errno: number)
        #expect(self.system.binds.count == 1)
        #expect(self.system.connects.isEmpty)
    }

    @Test func connectFailureAfterMovingPastBusyPortsDoesNotFallBackToUnprivileged() {
        self.system.bindErrors = [EADDRINUSE]
        self.system.connectErrors = [ECONNREFUSED]
        self.expectOpenFailed(call: "connect", errno: ECONNREFUSED)
        #expect(self.system.binds.map(\.port) == [1023, 1022])
    }

    @Test func streamSocketFailureIsReported() {
        self.system.streamSocketError = EMFILE
        self.expectOpenFailed(call: "socket", errno: EMFILE)
    }
}

/// The real system calls, limited to what is safe on any machine: sockets and binds, never a connect.
@Suite struct LinuxVSockSystemTests {
    private static var streamSocketsExist: Bool {
        let descriptor = socket(40, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }

    @Test(.enabled(if: streamSocketsExist, "the kernel has no vsock stream sockets"))
    func kernelAcceptsTheSocketAddressLayoutInBind() throws {
        let system = LinuxVSockSystem()
        let socket = try system.makeSocket(family: 40, type: Int32(SOCK_STREAM.rawValue)).get()
        defer { system.close(socket) }
        let failure = system.bind(
            socket, to: VSockAddress(family: 40, port: VSockAddress.any, cid: VSockAddress.any))
        #expect(failure == nil)
    }

    @Test(.enabled(if: streamSocketsExist, "the kernel has no vsock stream sockets"))
    func wrongFamilyInTheAddressIsRejectedByTheKernel() throws {
        let system = LinuxVSockSystem()
        let socket = try system.makeSocket(family: 40, type: Int32(SOCK_STREAM.rawValue)).get()
        defer { system.close(socket) }
        let failure = system.bind(
            socket, to: VSockAddress(family: 1, port: VSockAddress.any, cid: VSockAddress.any))
        #expect(failure?.call == "bind")
        #expect(failure?.errorNumber == EAFNOSUPPORT || failure?.errorNumber == EINVAL)
    }
}

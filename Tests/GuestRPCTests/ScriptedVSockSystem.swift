// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

@testable import GuestRPC

/// A vsock system that answers from a script and records every call; no socket is ever made.
final class ScriptedVSockSystem: VSockSystem {
    /// True when the SOCK_DGRAM probe of family 40 fails.
    var probeFails = false
    /// What ioctl 1976 reports, nil for failure.
    var deviceFamily: Int32?
    /// What ioctl 1977 reports, nil for failure.
    var localCID: UInt32?
    /// The errno of each bind in turn (0 = success); success once the script runs out.
    var bindErrors: [Int32] = []
    /// The errno of each connect in turn (0 = success); success once the script runs out.
    var connectErrors: [Int32] = []
    /// The errno of stream socket creation, nil for success.
    var streamSocketError: Int32?

    private(set) var calls: [String] = []
    private(set) var binds: [VSockAddress] = []
    private(set) var connects: [VSockAddress] = []
    private(set) var openDescriptors: Set<Int32> = []
    private(set) var pauses = 0
    private var nextDescriptor: Int32 = 100

    func makeSocket(family: Int32, type: Int32) -> Result<Int32, SystemCallFailure> {
        self.calls.append(
            "socket(\(family), \(type == Int32(SOCK_DGRAM.rawValue) ? "dgram" : "stream"))")
        if type == Int32(SOCK_DGRAM.rawValue), self.probeFails {
            return .failure(SystemCallFailure(call: "socket", errorNumber: EAFNOSUPPORT))
        }
        if type == Int32(SOCK_STREAM.rawValue), let number = self.streamSocketError {
            return .failure(SystemCallFailure(call: "socket", errorNumber: number))
        }
        self.nextDescriptor += 1
        self.openDescriptors.insert(self.nextDescriptor)
        return .success(self.nextDescriptor)
    }

    func bind(_ socket: Int32, to address: VSockAddress) -> SystemCallFailure? {
        self.calls.append("bind(\(address))")
        self.binds.append(address)
        let number = self.bindErrors.isEmpty ? 0 : self.bindErrors.removeFirst()
        return number == 0 ? nil : SystemCallFailure(call: "bind", errorNumber: number)
    }

    func connect(_ socket: Int32, to address: VSockAddress) -> SystemCallFailure? {
        self.calls.append("connect(\(address))")
        self.connects.append(address)
        let number = self.connectErrors.isEmpty ? 0 : self.connectErrors.removeFirst()
        return number == 0 ? nil : SystemCallFailure(call: "connect", errorNumber: number)
    }

    func close(_ socket: Int32) {
        self.calls.append("close")
        self.openDescriptors.remove(socket)
    }

    func deviceAddressFamily() -> Int32? {
        self.calls.append("ioctl(1976)")
        return self.deviceFamily
    }

    func deviceLocalCID() -> UInt32? {
        self.calls.append("ioctl(1977)")
        return self.localCID
    }

    func pause(milliseconds: Int) {
        self.calls.append("pause(\(milliseconds))")
        self.pauses += 1
    }
}

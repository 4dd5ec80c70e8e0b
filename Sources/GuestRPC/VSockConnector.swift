// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Connects a vsock stream the way the Guest SDK does (PROTOCOL.md §4.1–§4.2).
///
/// First a privileged attempt binds local ports 1023 down to 1; only when that
/// attempt ends with a bind failing with EACCES (a non-root process) does an
/// unprivileged attempt bind any port and connect once.
final class VSockConnector: StreamConnector {
    /// How the connection was made, as the reference's channel types 2 and 3 (§3.1).
    enum ChannelType: Int, Sendable {
        case privileged = 2
        case unprivileged = 3
    }

    /// The highest local port of the privileged attempt.
    static let highestPrivilegedPort: UInt32 = 1023
    /// ECONNRESET failures, while vsock is believed usable, that end the privileged attempt.
    static let connectionResetLimit = 8
    /// ENOBUFS failures that end the privileged attempt.
    static let noBufferSpaceLimit = 5

    let cid: UInt32
    let port: UInt32
    /// The channel type of the last successful connection.
    private(set) var channelType: ChannelType?

    private let system: any VSockSystem
    private let usability: VSockUsability
    private let logger: Logger

    init(
        cid: UInt32, port: UInt32, system: any VSockSystem = LinuxVSockSystem(),
        usability: VSockUsability = .shared, logger: Logger
    ) {
        self.cid = cid
        self.port = port
        self.system = system
        self.usability = usability
        self.logger = logger
    }

    var endpoint: Endpoint { .vsock(cid: self.cid, port: self.port) }

    /// The vsock address family: 40 when a datagram socket of that family opens, else what the device reports.
    ///
    /// A third step is GuestSDK's own: when both fail, a stream socket of family 40
    /// is tried. virtio and Hyper-V transports (a KVM guest reaching `guestsdk-host`)
    /// have no datagrams and no ioctl 1976; on VMware the first step already succeeds.
    func addressFamily() -> Int32? {
        let family = VSockAddress.linuxAddressFamily
        if case .success(let probe) = self.system.makeSocket(
            family: family, type: Int32(SOCK_DGRAM.rawValue))
        {
            self.system.close(probe)
            return family
        }
        if let reported = self.system.deviceAddressFamily() {
            return reported
        }
        if case .success(let probe) = self.system.makeSocket(
            family: family, type: Int32(SOCK_STREAM.rawValue))
        {
            self.system.close(probe)
            return family
        }
        return nil
    }

    func connect() throws -> Int32 {
        guard let family = self.addressFamily() else {
            throw RPCError(
                .openFailed, endpoint: self.endpoint,
                detail: "the vsock address family is not available")
        }
        let localCID = self.system.deviceLocalCID() ?? VSockAddress.any
        let remote = VSockAddress(
            family: UInt16(truncatingIfNeeded: family), port: self.port, cid: self.cid)

        let privileged = self.privilegedAttempt(family: family, localCID: localCID, remote: remote)
        switch privileged {
        case .connected(let socket):
            self.channelType = .privileged
            self.logger.debug(
                "vsock connected", ["endpoint": "\(self.endpoint)", "channel": "privileged"])
            return socket
        case .bindFailed(let failure) where failure.errorNumber == EACCES:
            self.logger.debug(
                "privileged vsock port refused, trying an unprivileged one",
                ["endpoint": "\(self.endpoint)"])
            let socket = try self.unprivilegedAttempt(
                family: family, localCID: localCID, remote: remote)
            self.channelType = .unprivileged
            return socket
        case .bindFailed(let failure), .failed(let failure):
            throw RPCError(
                .openFailed, endpoint: self.endpoint, systemCall: failure.call,
                errorNumber: failure.errorNumber
            )
        case .portsExhausted:
            throw RPCError(
                .openFailed, endpoint: self.endpoint,
                detail: "every privileged local port from 1023 to 1 is in use"
            )
        }
    }

    /// How the privileged attempt ended.
    private enum PrivilegedOutcome {
        case connected(Int32)
        case bindFailed(SystemCallFailure)
        case failed(SystemCallFailure)
        case portsExhausted
    }

    private func privilegedAttempt(family: Int32, localCID: UInt32, remote: VSockAddress)
        -> PrivilegedOutcome
    {
        var connectionResets = 0
        var noBufferSpaceFailures = 0
        var localPort = VSockConnector.highestPrivilegedPort
        while localPort >= 1 {
            let socket: Int32
            switch self.system.makeSocket(family: family, type: Int32(SOCK_STREAM.rawValue)) {
            case .success(let descriptor): socket = descriptor
            case .failure(let failure): return .failed(failure)
            }

            let local = VSockAddress(family: remote.family, port: localPort, cid: localCID)
            if let failure = self.system.bind(socket, to: local) {
                self.system.close(socket)
                if failure.errorNumber == EADDRINUSE {
                    localPort -= 1
                    continue
                }
                return .bindFailed(failure)
            }

            guard let failure = self.system.connect(socket, to: remote) else {
                self.usability.isUsable = true
                return .connected(socket)
            }
            self.system.close(socket)
            switch failure.errorNumber {
            case EINTR:
                continue
            case ECONNRESET where self.usability.isUsable:
                connectionResets += 1
                if connectionResets >= VSockConnector.connectionResetLimit {
                    self.usability.isUsable = false
                    return .failed(failure)
                }
                localPort -= 1
            case ENOBUFS:
                noBufferSpaceFailures += 1
                if noBufferSpaceFailures >= VSockConnector.noBufferSpaceLimit {
                    return .failed(failure)
                }
                self.system.pause(milliseconds: 1)
            default:
                return .failed(failure)
            }
        }
        return .portsExhausted
    }

    private func unprivilegedAttempt(family: Int32, localCID: UInt32, remote: VSockAddress) throws
        -> Int32
    {
        let socket: Int32
        switch self.system.makeSocket(family: family, type: Int32(SOCK_STREAM.rawValue)) {
        case .success(let descriptor): socket = descriptor
        case .failure(let failure): throw self.openFailed(failure)
        }
        let local = VSockAddress(family: remote.family, port: VSockAddress.any, cid: localCID)
        if let failure = self.system.bind(socket, to: local)
            ?? self.system.connect(socket, to: remote)
        {
            self.system.close(socket)
            throw self.openFailed(failure)
        }
        self.usability.isUsable = true
        return socket
    }

    private func openFailed(_ failure: SystemCallFailure) -> RPCError {
        RPCError(
            .openFailed, endpoint: self.endpoint, systemCall: failure.call,
            errorNumber: failure.errorNumber)
    }
}

/// The process-wide "vsock is usable" flag of §4.2: set by every successful
/// connect, cleared by the eighth ECONNRESET of one privileged attempt.
final class VSockUsability: @unchecked Sendable {
    /// The flag every channel of this process shares.
    static let shared = VSockUsability()

    private let lock = Lock()
    private var usable: Bool

    init(isUsable: Bool = true) {
        self.usable = isUsable
    }

    var isUsable: Bool {
        get {
            self.lock.lock()
            defer { self.lock.unlock() }
            return self.usable
        }
        set {
            self.lock.lock()
            self.usable = newValue
            self.lock.unlock()
        }
    }
}

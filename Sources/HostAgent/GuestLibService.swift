// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// The host's guest-statistics service: answers `guestlib.info.get`, `guestlib.stat.get` and
/// `guestlib.ioctl` for every VM from that VM's `VMStatistics`.
///
/// Replies, per PROTOCOL.md §5, §6, §13 and §15:
///
/// | request | reply |
/// | --- | --- |
/// | `guestlib.info.get 3` on a V3 host | `1 ` + 16-byte header + XDR with `statisticCount` entries |
/// | `guestlib.info.get 2` | `1 ` + the 669-byte V2 image |
/// | any other version | V3 host: `0 3`; V2-only host: `0 Unsupported version` |
/// | `guestlib.stat.get <enc> <stat>` | `1 <document>`; `0 Unknown encoding`; `0 Unknown stat` |
/// | `guestlib.ioctl ` + XDR | `1 <status>`, the status a decimal `GuestLibAtomicUpdateStatus` |
/// | anything, guestlib disabled | `0 Unknown command` |
///
/// The ioctl reply format is not known from the reference (§14); GuestSDK answers the RPC with success and
/// the status as decimal text: `1 0` when the VM's cookie equalled `src` and became `dst`, `1 1` when it
/// did not match, `1 2` for an ioctl id other than 1 or an argument that does not decode.
///
/// A VM the service has not been told about gets the default statistics on its first request.
public final class GuestLibService: RPCService, @unchecked Sendable {
    private let lock = NSLock()
    private var machines: [String: VMStatistics] = [:]
    private let clock: any HostClock
    private let counters: any HostCounterSource
    private let logger: Logger
    private let sessionIDs: @Sendable () -> UInt64

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - clock: the time source of every VM's refresh tick and counters.
    ///   - counters: this machine's counters, for VMs whose configuration follows them.
    ///   - logger: requests at debug; session changes and file reloads at info.
    ///   - sessionIDs: makes session ids (random non-zero by default).
    public init(
        clock: any HostClock = SystemClock(), counters: any HostCounterSource = ProcHostCounters(),
        logger: Logger = .disabled,
        sessionIDs: @escaping @Sendable () -> UInt64 = { UInt64.random(in: 1...UInt64.max) }
    ) {
        self.clock = clock
        self.counters = counters
        self.logger = logger
        self.sessionIDs = sessionIDs
    }

    /// Routes the three guestlib commands of `router` to this service.
    ///
    /// - Parameter router: the router of the VMs this service answers for.
    public func register(on router: Router) {
        for command in [GuestLibRequest.infoGetCommand, GuestLibRequest.statGetCommand, GuestLibRequest.ioctlCommand] {
            router.register(command: command, to: self)
        }
    }

    /// Adds (or replaces) a VM's statistics.
    ///
    /// - Parameters:
    ///   - name: the VM's name, as its endpoint is named.
    ///   - configuration: its figures and host behaviour.
    ///   - configurationFile: a statistics file read now and re-read when it changes; it wins over
    ///     `configuration` when it can be read.
    /// - Returns: the VM's statistics, for setting values and simulating session changes.
    @discardableResult
    public func addVM(
        named name: String, configuration: VMStatisticsConfiguration = VMStatisticsConfiguration(),
        configurationFile: String? = nil
    ) -> VMStatistics {
        let statistics = VMStatistics(
            name: name, configuration: configuration, configurationFile: configurationFile, clock: self.clock,
            counters: self.counters, logger: self.logger, sessionIDs: self.sessionIDs
        )
        self.lock.withLock { self.machines[name] = statistics }
        return statistics
    }

    /// Forgets a VM's statistics; its next request starts a new session with the defaults.
    ///
    /// - Parameter name: the VM's name.
    public func removeVM(named name: String) {
        _ = self.lock.withLock { self.machines.removeValue(forKey: name) }
    }

    /// The statistics of VM `name`, created with the defaults if it has none yet.
    ///
    /// - Parameter name: the VM's name.
    /// - Returns: its statistics.
    public func statistics(forVM name: String) -> VMStatistics {
        if let existing = self.lock.withLock({ self.machines[name] }) {
            return existing
        }
        let created = VMStatistics(
            name: name, clock: self.clock, counters: self.counters, logger: self.logger,
            sessionIDs: self.sessionIDs
        )
        return self.lock.withLock {
            if let raced = self.machines[name] { return raced }
            self.machines[name] = created
            return created
        }
    }

    /// Answers one guestlib request (see the table on the type).
    ///
    /// - Parameter request: a `guestlib.info.get`, `guestlib.stat.get` or `guestlib.ioctl` request.
    /// - Returns: the reply.
    public func handle(_ request: RPCRequest) -> RPCReply {
        let statistics = self.statistics(forVM: request.vmName)
        let parsed = GuestLibRequest(parsing: request.bytes)
        self.logger.debug("guestlib request", ["vm": request.vmName, "command": request.command])
        if case .infoGet(let version) = parsed {
            // Nearly every request: answered from the tick's image, without a copy of the sample.
            return statistics.infoGetReply(version: version)
        }

        let sample = statistics.sample()
        guard sample.host.isGuestLibEnabled else {
            return .failure(RPCReply.unknownCommandText)
        }
        switch parsed {
        case .infoGet(let version):
            return statistics.infoGetReply(version: version)
        case .statGet(let encodingName, let statName):
            guard let encoding = StatisticsDocument.Encoding(name: encodingName) else {
                return .failure("Unknown encoding")
            }
            guard let document = sample.document(forStat: statName) else {
                return .failure("Unknown stat")
            }
            return .success(document.encoded(as: encoding, rootName: statName.isEmpty ? "guestlib" : statName))
        case .atomicUpdateCookie(let source, let destination):
            let status = statistics.updateCookie(from: source, to: destination)
            return .success(String(status.rawValue))
        case .unknownIoctl, .malformedIoctl:
            return .success(String(GuestLibAtomicUpdateStatus.badParameter.rawValue))
        case .unknownCommand:
            return .failure(RPCReply.unknownCommandText)
        }
    }
}

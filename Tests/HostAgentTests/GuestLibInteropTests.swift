// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import GuestRPC
import HostAgent
import Testing

/// A host agent serving one VM, "vm1", over its Unix socket, with the statistics on a manual clock.
///
/// A test hook answers `guestlib.stat.get text test-vmotion` by simulating a vMotion, so a C client can
/// move its own VM between two updates on one handle; every other request goes to `GuestLibService`.
final class StatisticsHost: @unchecked Sendable {
    let directory: String
    let clock = ManualClock()
    let ids = SequentialSessionIDs()
    let log = InMemoryLog()
    let service: GuestLibService
    let server: RPCServer
    let statistics: VMStatistics
    private let records = RecordBox()
    private let hook: VMotionHook

    /// Runs before the service answers each `guestlib.info.get` or `guestlib.stat.get`, such as to move the clock.
    var beforeEachRequest: (@Sendable () -> Void)? {
        get { self.hook.beforeEachRequest }
        set { self.hook.beforeEachRequest = newValue }
    }

    init(_ configuration: VMStatisticsConfiguration = VMStatisticsConfiguration()) throws {
        var template = Array("/tmp/guestsdk-stats-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw OpenVMToolsPeer.Failure(description: "mkdtemp failed") }
        self.directory = String(cString: made)
        let ids = self.ids
        self.service = GuestLibService(
            clock: self.clock, logger: self.log.logger(label: "guestlib"),
            sessionIDs: {
                ids.make()
            })
        self.statistics = self.service.addVM(named: "vm1", configuration: configuration)
        let router = Router()
        self.service.register(on: router)
        let hook = VMotionHook(service: self.service)
        self.hook = hook
        for command in [GuestLibRequest.infoGetCommand, GuestLibRequest.statGetCommand] {
            router.register(command: command, to: hook)
        }
        var serverConfiguration = RPCServer.Configuration(stateDirectory: self.directory)
        let records = self.records
        serverConfiguration.requestObserver = { record in records.append(record) }
        self.server = RPCServer(configuration: serverConfiguration, logger: self.log.logger(label: "server"))
        try self.server.addVM(VMEndpointConfiguration(name: "vm1"), router: router)
    }

    deinit {
        self.server.stop()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    var socketPath: String { self.server.socketPath(forVM: "vm1") }

    /// The commands the server answered, in order, as "vm command".
    var requests: [String] {
        self.records.all.map { "\($0.vmName) \($0.command)" }
    }
}

/// The server's request records, appended from its queues.
private final class RecordBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [RPCServer.RequestRecord] = []

    func append(_ record: RPCServer.RequestRecord) {
        self.lock.withLock { self.storage.append(record) }
    }

    var all: [RPCServer.RequestRecord] {
        self.lock.withLock { self.storage }
    }
}

/// Simulates a vMotion on `guestlib.stat.get text test-vmotion`; forwards every other request.
private final class VMotionHook: RPCService, @unchecked Sendable {
    let service: GuestLibService
    private let lock = NSLock()
    private var hook: (@Sendable () -> Void)?

    var beforeEachRequest: (@Sendable () -> Void)? {
        get { self.lock.withLock { self.hook } }
        set { self.lock.withLock { self.hook = newValue } }
    }

    init(service: GuestLibService) {
        self.service = service
    }

    func handle(_ request: RPCRequest) -> RPCReply {
        self.beforeEachRequest?()
        if GuestLibRequest(parsing: request.bytes) == .statGet(encoding: "text", statName: "test-vmotion") {
            let session = self.service.statistics(forVM: request.vmName).vMotion()
            return .success("moved to 0x" + String(session, radix: 16))
        }
        return self.service.handle(request)
    }
}

/// What every getter of the C API must return for a snapshot, per PROTOCOL.md §8.3 and §8.4.
enum ExpectedGetters {
    static let ids: [String: UInt32] = [
        "CpuReservationMHz": 1, "CpuLimitMHz": 2, "CpuShares": 3, "CpuUsedMs": 4, "HostProcessorSpeed": 5,
        "MemReservationMB": 6, "MemLimitMB": 7, "MemShares": 8, "MemMappedMB": 9, "MemActiveMB": 10,
        "MemOverheadMB": 11, "MemBalloonedMB": 12, "MemSwappedMB": 13, "MemSharedMB": 14, "MemSharedSavedMB": 15,
        "MemUsedMB": 16, "ElapsedMs": 17, "ResourcePoolPath": 18, "CpuStolenMs": 19, "MemTargetSizeMB": 20,
        "HostNumCpuCores": 21, "HostCpuUsedMs": 22, "HostMemSwappedMB": 23, "HostMemSharedMB": 24,
        "HostMemUsedMB": 25, "HostMemPhysMB": 26, "HostMemPhysFreeMB": 27, "HostMemKernOvhdMB": 28,
        "HostMemMappedMB": 29, "HostMemUnmappedMB": 30, "MemZippedMB": 31, "MemZipSavedMB": 32,
        "MemLLSwappedMB": 33, "MemSwapTargetMB": 34, "MemBalloonTargetMB": 35, "MemBalloonMaxMB": 36,
        "MemShares64": 38,
    ]

    /// "code value" per getter name (value "-" unless the code is 0), for a handle of `version`.
    static func lines(for snapshot: StatisticsSnapshot, handleVersion: UInt32) -> [String: String] {
        var result: [String: String] = ["SessionId": "0 \(snapshot.sessionID)"]
        for (name, raw) in self.ids {
            result[name] = self.line(StatisticID(rawValue: raw)!, snapshot, handleVersion)
        }
        return result
    }

    private static func line(_ id: StatisticID, _ snapshot: StatisticsSnapshot, _ version: UInt32) -> String {
        if id == .hostMemoryKernelOverheadMB { return "0 0" }
        let plain = self.plainLine(id, snapshot, version)
        if id == .memoryShares64 && plain == "10 -" {
            let fallback = self.plainLine(.memoryShares, snapshot, version)
            return fallback.hasPrefix("0 ") ? fallback : plain
        }
        return plain
    }

    private static func plainLine(_ id: StatisticID, _ snapshot: StatisticsSnapshot, _ version: UInt32) -> String {
        let limit = version == 2 ? StatisticID.highestInV2.rawValue : UInt32(snapshot.entries.count)
        guard id.rawValue <= limit, let entry = snapshot.entry(for: id) else { return "10 -" }
        guard entry.isValid else { return "4 -" }
        switch entry.value {
        case .uint32(let value): return "0 \(value)"
        case .uint64(let value): return "0 \(value)"
        case .bytes(let bytes):
            let path = version == 2 ? Array(bytes.prefix(511)) : bytes
            return "0 " + String(decoding: path, as: UTF8.self)
        }
    }

    /// The getter lines of one `update` block of the client's output, keyed by getter name.
    static func parse(_ lines: ArraySlice<String>) -> [String: String] {
        var result: [String: String] = [:]
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] != "UpdateInfo" else { continue }
            result[parts[0]] = parts[1]
        }
        return result
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// The guest statistics model of one simulated VM: its session, its refresh tick and its figures.
///
/// Figures are computed once per refresh tick (default 1 s) and then held, so
/// two updates inside one tick see equal values. `elapsedMs`, `cpuUsedMs` and
/// `cpuStolenMs` count from the start of the session and never go backwards
/// within it, even when the clock does. A session change (`vMotion()`,
/// `resume()`, `revertSnapshot()`) gives a new random non-zero session id and
/// restarts those counters at 0.
///
/// Configuration changes, through `setConfiguration(_:)` or by editing the
/// statistics file, take effect at the start of the next tick: the file's
/// modification time, size and inode are checked once per tick and the file is
/// re-read when one of them changed. Thread-safe.
public final class VMStatistics: @unchecked Sendable {
    /// The VM's name, as its endpoint is named.
    public let name: String
    /// The statistics file this VM re-reads when it changes, if any.
    public let configurationFile: String?

    private let lock = NSLock()
    private let clock: any HostClock
    private let counters: any HostCounterSource
    private let logger: Logger
    private let makeSessionID: @Sendable () -> UInt64
    private let createdAt: Date

    private var configuration: VMStatisticsConfiguration
    private var pendingConfiguration: VMStatisticsConfiguration?
    private var fileStamp: FileStamp?
    private var session: Session
    private var current: (tickStart: Date, sample: VMStatisticsSample)? {
        didSet { self.encodedImages = (nil, nil) }
    }
    /// The V3 and V2 images of `current`'s sample, encoded when first asked for.
    private var encodedImages: (v3: [UInt8]?, v2: [UInt8]?) = (nil, nil)
    private var cookie = ""
    private var hasWarnedAboutCounters = false

    private struct Session {
        var id: UInt64
        var start: Date
        var reason: StatisticsSessionStart
        var counterBaseline: HostCounterReading?
    }

    private struct FileStamp: Equatable {
        var seconds: Int
        var nanoseconds: Int
        var size: Int64
        var inode: UInt64
    }

    /// Creates the statistics of one VM and starts its first session.
    ///
    /// - Parameters:
    ///   - name: the VM's name.
    ///   - configuration: the initial figures and host behaviour; ignored when `configurationFile` can be read.
    ///   - configurationFile: a statistics file (schema on `VMStatisticsConfiguration`) read now and re-read
    ///     when it changes.
    ///   - clock: the time source of the refresh tick and of every counter.
    ///   - counters: this machine's counters, read when the configuration follows them.
    ///   - logger: receives session changes and reloads at info, file problems at warning.
    ///   - sessionIDs: makes session ids; a zero it returns is replaced (a session id is never 0).
    public init(
        name: String, configuration: VMStatisticsConfiguration = VMStatisticsConfiguration(),
        configurationFile: String? = nil, clock: any HostClock = SystemClock(),
        counters: any HostCounterSource = ProcHostCounters(), logger: Logger = .disabled,
        sessionIDs: @escaping @Sendable () -> UInt64 = { UInt64.random(in: 1...UInt64.max) }
    ) {
        self.name = name
        self.configurationFile = configurationFile
        self.clock = clock
        self.counters = counters
        self.logger = logger
        self.makeSessionID = sessionIDs
        self.createdAt = clock.now
        self.configuration = configuration
        self.session = Session(id: 0, start: self.createdAt, reason: .powerOn, counterBaseline: nil)
        if let file = configurationFile {
            self.fileStamp = Self.stamp(of: file)
            do {
                self.configuration = try VMStatisticsConfiguration.load(contentsOf: file)
            } catch {
                logger.warning("statistics file not used", ["vm": name, "error": "\(error)"])
            }
        }
        self.lock.withLock { self.beginSession(.powerOn) }
    }

    /// The configuration in force now (a pending change shows after the next tick).
    public var currentConfiguration: VMStatisticsConfiguration {
        self.lock.withLock { self.configuration }
    }

    /// The current session id; never 0.
    public var sessionID: UInt64 {
        self.lock.withLock { self.session.id }
    }

    /// Replaces the configuration from the start of the next refresh tick.
    ///
    /// - Parameter configuration: the new figures and host behaviour.
    public func setConfiguration(_ configuration: VMStatisticsConfiguration) {
        self.lock.withLock { self.pendingConfiguration = configuration }
    }

    /// Changes part of the configuration from the start of the next refresh tick.
    ///
    /// - Parameter change: edits a copy of the latest configuration (pending or in force).
    public func updateConfiguration(_ change: (inout VMStatisticsConfiguration) -> Void) {
        self.lock.withLock {
            var next = self.pendingConfiguration ?? self.configuration
            change(&next)
            self.pendingConfiguration = next
        }
    }

    /// Simulates a vMotion: a new session id, counters restarting small.
    ///
    /// - Returns: the new session id.
    @discardableResult
    public func vMotion() -> UInt64 { self.startSession(.vMotion) }

    /// Simulates a resume from suspend: a new session id, counters restarting small.
    ///
    /// - Returns: the new session id.
    @discardableResult
    public func resume() -> UInt64 { self.startSession(.resume) }

    /// Simulates a snapshot revert: a new session id, counters restarting small.
    ///
    /// - Returns: the new session id.
    @discardableResult
    public func revertSnapshot() -> UInt64 { self.startSession(.snapshotRevert) }

    /// Starts a new session for `reason`.
    ///
    /// - Parameter reason: why the VM's running instance changed.
    /// - Returns: the new session id.
    @discardableResult
    public func startSession(_ reason: StatisticsSessionStart) -> UInt64 {
        self.lock.withLock {
            self.beginSession(reason)
            return self.session.id
        }
    }

    /// The statistics as they stand in the current refresh tick.
    ///
    /// - Returns: the tick's sample; equal to the previous one while the tick lasts.
    public func sample() -> VMStatisticsSample {
        self.lock.withLock { self.sampleLocked() }
    }

    /// The reply to `guestlib.info.get <version>` from this VM's host in the current refresh tick
    /// (PROTOCOL.md §5.2, §5.3): `1 ` and the V3 or V2 image, `0 3` or `0 Unsupported version` for a
    /// version the host does not serve, `0 Unknown command` while guestlib is disabled.
    ///
    /// Each image is encoded once per tick, so every update inside one tick gets the same bytes
    /// without encoding them again, and answered under one lock without copying the sample.
    ///
    /// - Parameter version: the version asked for; nil when the request named none or a malformed one.
    /// - Returns: the reply.
    public func infoGetReply(version: UInt32?) -> RPCReply {
        self.lock.withLock {
            self.refreshLocked()
            let host = self.current!.sample.host
            guard host.isGuestLibEnabled else { return .failure(RPCReply.unknownCommandText) }
            switch (host.protocolVersion, version) {
            case (.v3, 3): return RPCReply(succeeded: true, payload: self.imageLocked(.v3))
            case (_, 2): return RPCReply(succeeded: true, payload: self.imageLocked(.v2))
            case (.v3, _): return .failure("3")
            case (.v2, _): return .failure("Unsupported version")
            }
        }
    }

    /// Applies the atomic-update-cookie ioctl (PROTOCOL.md §6.2): a compare-and-swap of the VM's cookie.
    ///
    /// The cookie starts empty. When it equals `source` it becomes `destination` and the result is
    /// `.okSuccess`; otherwise it is left alone and the result is `.okFail`.
    ///
    /// - Parameters:
    ///   - source: the cookie the guest believes is current.
    ///   - destination: the cookie to store.
    /// - Returns: `.okSuccess` or `.okFail`.
    public func updateCookie(from source: String, to destination: String) -> GuestLibAtomicUpdateStatus {
        self.lock.withLock {
            guard self.cookie == source else { return .okFail }
            self.cookie = destination
            return .okSuccess
        }
    }

    /// The VM's current atomic-update cookie.
    public var currentCookie: String {
        self.lock.withLock { self.cookie }
    }

    // MARK: - Under the lock

    private func beginSession(_ reason: StatisticsSessionStart) {
        var id = self.makeSessionID()
        while id == 0 || id == self.session.id {
            id = UInt64.random(in: 1...UInt64.max)
        }
        if let pending = self.pendingConfiguration {
            self.configuration = pending
            self.pendingConfiguration = nil
        }
        self.session = Session(id: id, start: self.clock.now, reason: reason, counterBaseline: nil)
        if self.configuration.followsHostCounters {
            self.session.counterBaseline = self.readCounters()
        }
        self.current = nil
        self.logger.info(
            "statistics session started",
            ["vm": self.name, "reason": reason.rawValue, "session": "0x" + String(id, radix: 16)]
        )
    }

    private func sampleLocked() -> VMStatisticsSample {
        self.refreshLocked()
        return self.current!.sample
    }

    /// The image of the current sample in `version`, encoded on first use.
    private func imageLocked(_ version: GuestLibHostBehaviour.ProtocolVersion) -> [UInt8] {
        switch version {
        case .v3:
            if let image = self.encodedImages.v3 { return image }
            let image = self.current!.sample.encodedV3()
            self.encodedImages.v3 = image
            return image
        case .v2:
            if let image = self.encodedImages.v2 { return image }
            let image = self.current!.sample.encodedV2()
            self.encodedImages.v2 = image
            return image
        }
    }

    /// Makes `current` the sample of the tick that `now` falls in, unless it already is.
    private func refreshLocked() {
        let now = self.clock.now
        let interval = max(self.configuration.refreshInterval, 0.001)
        if let current = self.current, now < current.tickStart + interval {
            return  // the same tick, or the clock went backwards
        }

        self.reloadFileIfChanged()
        if let pending = self.pendingConfiguration {
            self.configuration = pending
            self.pendingConfiguration = nil
            if self.configuration.followsHostCounters && self.session.counterBaseline == nil {
                self.session.counterBaseline = self.readCounters()
            }
        }
        let newInterval = max(self.configuration.refreshInterval, 0.001)
        let sinceStart = max(0, now.timeIntervalSince(self.session.start))
        let tickStart = self.session.start + (sinceStart / newInterval).rounded(.down) * newInterval
        var sample = self.computeSample(at: tickStart)
        if let previous = self.current?.sample {
            sample.elapsedMs = max(sample.elapsedMs, previous.elapsedMs)
            sample.cpuUsedMs = max(sample.cpuUsedMs, previous.cpuUsedMs)
            sample.cpuStolenMs = max(sample.cpuStolenMs, previous.cpuStolenMs)
            sample.hostCPUUsedMs = max(sample.hostCPUUsedMs, previous.hostCPUUsedMs)
        }
        self.current = (tickStart, sample)
    }

    private func computeSample(at tickStart: Date) -> VMStatisticsSample {
        var values = self.configuration.values
        let elapsedMs = Self.milliseconds(tickStart.timeIntervalSince(self.session.start) * 1000)
        let cpus = Double(values.virtualCPUCount)
        var cpuUsedMs = Self.milliseconds(Double(elapsedMs) * cpus * Self.share(values.cpuUsage))
        var cpuStolenMs = Self.milliseconds(Double(elapsedMs) * cpus * Self.share(values.cpuStolenShare))
        let hostUptimeMs =
            (tickStart.timeIntervalSince(self.createdAt) + Double(values.hostUptimeSeconds)) * 1000
        var hostCPUUsedMs = Self.milliseconds(
            hostUptimeMs * Double(values.hostCPUCoreCount) * Self.share(values.hostCPUUsage)
        )

        if self.configuration.followsHostCounters, let baseline = self.session.counterBaseline,
            let reading = self.readCounters()
        {
            cpuUsedMs = reading.busyMs &- min(baseline.busyMs, reading.busyMs)
            cpuStolenMs = reading.stolenMs &- min(baseline.stolenMs, reading.stolenMs)
            hostCPUUsedMs = reading.busyMs
            values.hostCPUCoreCount = reading.cpuCount
            values.memoryUsedMB = Self.clamp32(
                reading.memoryTotalMB - min(reading.memoryAvailableMB, reading.memoryTotalMB))
            values.memoryActiveMB = Self.clamp32(reading.memoryActiveMB)
            values.memorySharedMB = Self.clamp32(reading.memorySharedMB)
            values.memorySwappedMB = Self.clamp32(reading.swapUsedMB)
            values.hostMemoryPhysicalMB = reading.memoryTotalMB
            values.hostMemoryPhysicalFreeMB = reading.memoryFreeMB
            values.hostMemoryUsedMB = reading.memoryTotalMB - min(reading.memoryFreeMB, reading.memoryTotalMB)
            values.hostMemorySharedMB = reading.memorySharedMB
            values.hostMemorySwappedMB = reading.swapUsedMB
        }

        return VMStatisticsSample(
            sessionID: self.session.id, sessionStart: self.session.reason, elapsedMs: elapsedMs,
            cpuUsedMs: cpuUsedMs, cpuStolenMs: cpuStolenMs, hostCPUUsedMs: hostCPUUsedMs, values: values,
            host: self.configuration.host
        )
    }

    private func readCounters() -> HostCounterReading? {
        do {
            return try self.counters.read()
        } catch {
            if !self.hasWarnedAboutCounters {
                self.hasWarnedAboutCounters = true
                self.logger.warning(
                    "host counters not readable; using modelled figures",
                    [
                        "vm": self.name, "error": "\(error)",
                    ])
            }
            return nil
        }
    }

    private func reloadFileIfChanged() {
        guard let file = self.configurationFile else { return }
        let stamp = Self.stamp(of: file)
        guard stamp != self.fileStamp else { return }
        self.fileStamp = stamp
        guard stamp != nil else {
            self.logger.warning("statistics file vanished; keeping the figures", ["vm": self.name, "file": file])
            return
        }
        do {
            self.pendingConfiguration = try VMStatisticsConfiguration.load(contentsOf: file)
            self.logger.info("statistics file reloaded", ["vm": self.name, "file": file])
        } catch {
            self.logger.warning("statistics file not reloaded", ["vm": self.name, "error": "\(error)"])
        }
    }

    private static func stamp(of path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileStamp(
            seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec, size: Int64(info.st_size),
            inode: UInt64(info.st_ino)
        )
    }

    private static func share(_ value: Double) -> Double {
        value.isFinite ? min(max(value, 0), 1) : 0
    }

    private static func milliseconds(_ value: Double) -> UInt64 {
        guard value.isFinite, value > 0 else { return 0 }
        return value >= 9.0e18 ? 9_000_000_000_000_000_000 : UInt64(value)
    }

    private static func clamp32(_ value: UInt64) -> UInt32 {
        UInt32(min(value, UInt64(UInt32.max)))
    }
}

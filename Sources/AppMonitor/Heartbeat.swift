// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import GuestRPC

/// Marks the application active on a fixed interval, in the background.
///
/// The first beat goes out when `start()` is called, then one every `interval`
/// on a private serial queue (a `DispatchSourceTimer`). A failed beat is
/// reported to the callback and the next beat is still sent: a heartbeat
/// should never give up on its own. `stop()` cancels the timer and waits for a
/// beat in flight to finish. `enable` and `disable` stay with the caller.
public final class Heartbeat: @unchecked Sendable {
    /// The result of one beat.
    public struct Beat: Sendable {
        /// 1 for the first beat after `start()`, then counting up.
        public var number: Int
        /// Why the beat failed, or nil when the host accepted it.
        public var error: AppMonitorError?
    }

    /// The time between two beats, in seconds.
    public let interval: Double

    private let monitor: AppMonitor
    private let onBeat: @Sendable (Beat) -> Void
    private let queue = DispatchQueue(label: "guestsdk.appmonitor.heartbeat")
    private let queueKey = DispatchSpecificKey<Void>()
    private let lock = Lock()
    private var timer: (any DispatchSourceTimer)?
    private var beatCount = 0
    private var isStopped = false

    /// Creates a heartbeat that calls `monitor.markActive()` every `interval` seconds once started.
    ///
    /// - Parameters:
    ///   - monitor: the monitor whose channel the beats use; the shared one by default.
    ///   - interval: seconds between beats, above zero; vSphere wants one at least every 30 s.
    ///   - onBeat: called on the heartbeat's queue after every beat, failed or not.
    public init(
        monitor: AppMonitor = .shared, interval: Double,
        onBeat: @escaping @Sendable (Beat) -> Void = { _ in }
    ) {
        precondition(interval > 0, "a heartbeat interval must be greater than zero")
        self.monitor = monitor
        self.interval = interval
        self.onBeat = onBeat
        self.queue.setSpecific(key: self.queueKey, value: ())
    }

    deinit {
        self.timer?.cancel()
    }

    /// The number of beats sent so far.
    public var beatsSent: Int {
        self.lock.withLock { self.beatCount }
    }

    /// Sends the first beat now, then one every `interval`; does nothing once started or stopped.
    public func start() {
        self.lock.withLock {
            guard self.timer == nil, !self.isStopped else { return }
            let timer = DispatchSource.makeTimerSource(queue: self.queue)
            let nanoseconds = Int(min(self.interval * 1e9, Double(Int.max / 2)))
            let leeway = max(1, min(nanoseconds / 20, 50_000_000))
            timer.schedule(
                deadline: .now(), repeating: .nanoseconds(nanoseconds), leeway: .nanoseconds(leeway)
            )
            timer.setEventHandler { [weak self] in self?.beat() }
            self.timer = timer
            timer.resume()
        }
    }

    /// Stops the beats; returns once a beat in flight has finished, unless called from `onBeat`.
    ///
    /// A stopped heartbeat cannot be started again; make a new one.
    public func stop() {
        let wasRunning: Bool = self.lock.withLock {
            let running = !self.isStopped
            self.isStopped = true
            self.timer?.cancel()
            return running
        }
        guard wasRunning, DispatchQueue.getSpecific(key: self.queueKey) == nil else { return }
        self.queue.sync {}
    }

    private func beat() {
        let number: Int? = self.lock.withLock {
            guard !self.isStopped else { return nil }
            self.beatCount += 1
            return self.beatCount
        }
        guard let number else { return }
        var failure: AppMonitorError?
        do {
            try self.monitor.markActive()
        } catch let error as AppMonitorError {
            failure = error
        } catch {
            preconditionFailure("markActive throws only AppMonitorError, got \(error)")
        }
        self.onBeat(Beat(number: number, error: failure))
    }
}

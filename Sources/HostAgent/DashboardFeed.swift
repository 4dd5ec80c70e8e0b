// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation

/// What the dashboard page shows, as a JSON document it fetches every second: per VM its status,
/// time since the last heartbeat, timeline and latest events, and the agent's latest events.
///
/// It is an `HAEventSink` (put it behind the store in an `HAEventFanOut`) that keeps the latest
/// events in memory, and it samples the engine's snapshots into a `HeartbeatTimeline` once per
/// slot on the engine's clock after `start()`, and again in every `document()`.
public final class DashboardFeed: HAEventSink, @unchecked Sendable {
    /// How much the feed keeps.
    public struct Configuration: Sendable {
        /// The newest events kept for the whole agent.
        public var recentEventCount: Int
        /// The newest events kept per VM, shown on its tile.
        public var eventsPerVM: Int
        /// The slots of each VM's timeline.
        public var timelineSlots: Int
        /// The time one timeline slot covers.
        public var slotWidth: Duration

        /// Creates a configuration: 50 events, 3 per VM, a two-minute timeline of one-second slots by default.
        public init(
            recentEventCount: Int = 50, eventsPerVM: Int = 3, timelineSlots: Int = 120,
            slotWidth: Duration = .seconds(1)
        ) {
            self.recentEventCount = recentEventCount
            self.eventsPerVM = eventsPerVM
            self.timelineSlots = timelineSlots
            self.slotWidth = slotWidth
        }
    }

    /// The feed's settings.
    public let configuration: Configuration
    /// The VMs' timelines.
    public let timeline: HeartbeatTimeline
    private let clock: any Clock
    private let states: @Sendable () -> [HAVMState]
    private let lock = NSLock()
    private var recent: [DashboardDocument.Event] = []
    private var recentByVM: [String: [DashboardDocument.Event]] = [:]
    private var eventCount: UInt64 = 0
    private var timer: (any ClockTimer)?
    /// Sampling runs here, never on the clock's queue, which the engine's deadlines share.
    private let samplingQueue = DispatchQueue(label: "guestsdk.dashboard.sampling")

    /// Creates a feed over snapshot functions.
    ///
    /// - Parameters:
    ///   - clock: the engine's clock; timeline slots and sampling follow it.
    ///   - states: the engine's VM snapshots, such as `engine.states`.
    ///   - configuration: how much to keep.
    public init(
        clock: any Clock, states: @escaping @Sendable () -> [HAVMState], configuration: Configuration = Configuration()
    ) {
        self.clock = clock
        self.states = states
        self.configuration = configuration
        self.timeline = HeartbeatTimeline(slotCount: configuration.timelineSlots, slotWidth: configuration.slotWidth)
    }

    /// Creates a feed for a running engine.
    ///
    /// - Parameters:
    ///   - engine: the HA engine whose VMs are shown.
    ///   - clock: the engine's clock.
    ///   - configuration: how much to keep.
    public convenience init(engine: HAEngine, clock: any Clock, configuration: Configuration = Configuration()) {
        self.init(clock: clock, states: { engine.states() }, configuration: configuration)
    }

    deinit {
        self.timer?.cancel()
    }

    /// Starts sampling the engine once per slot, at each slot's start on the clock.
    public func start() {
        let timer = self.clock.makeTimer { [weak self] in self?.sampleAndRearm() }
        self.lock.withLock { self.timer = timer }
        self.sampleAndRearm()
    }

    /// Stops the sampling; the feed still answers `document()`.
    public func stop() {
        let timer = self.lock.withLock {
            defer { self.timer = nil }
            return self.timer
        }
        timer?.cancel()
    }

    public func record(_ event: HAEvent) {
        self.append(DashboardDocument.Event(event))
    }

    /// Takes an event as the daemon's store hands it to its observers, after its commit.
    ///
    /// - Parameter event: the stored event; its id becomes the entry's sequence number.
    public func record(stored event: StoredEvent) {
        self.append(DashboardDocument.Event(stored: event))
    }

    private func append(_ entry: DashboardDocument.Event) {
        self.lock.withLock {
            self.eventCount += 1
            self.recent.append(entry)
            if self.recent.count > self.configuration.recentEventCount {
                self.recent.removeFirst(self.recent.count - self.configuration.recentEventCount)
            }
            if entry.kind == HAEvent.Kind.vmRemoved.name {
                self.recentByVM[entry.vm] = nil
                return
            }
            var own = self.recentByVM[entry.vm, default: []]
            own.append(entry)
            if own.count > self.configuration.eventsPerVM {
                own.removeFirst(own.count - self.configuration.eventsPerVM)
            }
            self.recentByVM[entry.vm] = own
        }
    }

    /// The current document: VMs sorted by name, events newest first.
    public func document() -> DashboardDocument {
        let (states, now) = self.samplingQueue.sync {
            let states = self.states()
            let now = self.clock.monotonicNow
            self.timeline.sample(states, at: now)
            return (states, now)
        }
        let (recent, byVM, count) = self.lock.withLock { (self.recent, self.recentByVM, self.eventCount) }
        let vms = states.map { state in
            DashboardDocument.VM(
                state, timeline: self.timeline.codes(forVM: state.name, at: now),
                events: (byVM[state.name] ?? []).reversed())
        }
        return DashboardDocument(
            generatedAtMilliseconds: Int64((self.clock.now.timeIntervalSince1970 * 1000).rounded()),
            slotSeconds: self.configuration.slotWidth.totalSeconds, eventCount: count, vms: vms,
            events: recent.reversed())
    }

    /// The current document as JSON with sorted keys.
    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A document holds only strings, numbers and booleans, which always encode.
        return Array((try? encoder.encode(self.document())) ?? Data("{}".utf8))
    }

    /// Takes the engine's snapshot now, on the clock's queue, and leaves the timeline work to the
    /// sampling queue, so the engine's deadlines that share the clock's queue are not held up.
    private func sampleAndRearm() {
        let now = self.clock.monotonicNow
        let states = self.states()
        self.samplingQueue.async { self.timeline.sample(states, at: now) }
        let width = self.configuration.slotWidth.totalNanoseconds
        let next = MonotonicInstant(nanoseconds: (self.timeline.slotNumber(at: now) + 1) * width)
        self.lock.withLock { self.timer }?.schedule(at: next)
    }

}

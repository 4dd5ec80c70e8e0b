// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// Hands out session ids 0x1111, 0x2222, ... so tests can name them exactly.
final class SequentialSessionIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var next: UInt64

    init(first: UInt64 = 0x1111) {
        self.next = first
    }

    func make() -> UInt64 {
        self.lock.withLock {
            defer { self.next += 0x1111 }
            return self.next
        }
    }
}

/// Counters that tests set by hand.
final class FixedHostCounters: HostCounterSource, @unchecked Sendable {
    private let lock = NSLock()
    private var reading: HostCounterReading

    init(busyMs: UInt64 = 1_000_000, stolenMs: UInt64 = 5000) {
        self.reading = HostCounterReading(
            busyMs: busyMs, stolenMs: stolenMs, cpuCount: 4, memoryTotalMB: 8000, memoryFreeMB: 1000,
            memoryAvailableMB: 3000, memoryActiveMB: 2500, memorySharedMB: 120, swapUsedMB: 64
        )
    }

    func advance(busyMs: UInt64, stolenMs: UInt64) {
        self.lock.withLock {
            self.reading.busyMs += busyMs
            self.reading.stolenMs += stolenMs
        }
    }

    func read() throws -> HostCounterReading {
        self.lock.withLock { self.reading }
    }
}

/// A service on a manual clock with predictable session ids, as most tests want it.
struct StatisticsFixture {
    let clock = ManualClock()
    let sessionIDs = SequentialSessionIDs()
    let counters = FixedHostCounters()
    let log = InMemoryLog()
    let service: GuestLibService

    init() {
        let ids = self.sessionIDs
        self.service = GuestLibService(
            clock: self.clock, counters: self.counters, logger: self.log.logger(), sessionIDs: { ids.make() }
        )
    }

    /// Sends `text` as VM `vm`'s request and returns the reply.
    func send(_ text: String, vm: String = "vm1") -> RPCReply {
        self.service.handle(RPCRequest(vmName: vm, bytes: Array(text.utf8)))
    }

    /// Sends raw bytes as VM `vm`'s request.
    func send(bytes: [UInt8], vm: String = "vm1") -> RPCReply {
        self.service.handle(RPCRequest(vmName: vm, bytes: bytes))
    }
}

/// A reader of the V3 reply in tests: header fields and entries as (id, valid, value bytes).
struct V3Reply {
    var version: UInt32
    var sessionID: UInt64
    var dataSize: UInt32
    var entries: [(id: UInt32, valid: UInt32, value: [UInt8])]

    init?(_ payload: [UInt8]) {
        var reader = ByteReader(payload)
        guard let version = reader.readInteger(endianness: .little, as: UInt32.self),
            let session = reader.readInteger(endianness: .little, as: UInt64.self),
            let size = reader.readInteger(endianness: .little, as: UInt32.self),
            let count = reader.readInteger(as: UInt32.self)
        else { return nil }
        self.version = version
        self.sessionID = session
        self.dataSize = size
        self.entries = []
        for _ in 0..<count {
            guard let id = reader.readInteger(as: UInt32.self), let valid = reader.readInteger(as: UInt32.self)
            else { return nil }
            let value: [UInt8]?
            switch id {
            case 4, 17, 19, 20, 22...30, 38: value = reader.readBytes(8)
            case 18, 37:
                guard let length = reader.readInteger(as: UInt32.self) else { return nil }
                value = reader.readBytes(Int(length))
                _ = reader.skipBytes((4 - Int(length) % 4) % 4)
            default: value = reader.readBytes(4)
            }
            guard let value else { return nil }
            self.entries.append((id, valid, value))
        }
    }

    func integer(_ id: UInt32) -> UInt64? {
        guard let entry = self.entries.first(where: { $0.id == id }) else { return nil }
        return entry.value.reduce(0) { $0 << 8 | UInt64($1) }
    }

    func isValid(_ id: UInt32) -> Bool {
        self.entries.first(where: { $0.id == id })?.valid == 1
    }
}

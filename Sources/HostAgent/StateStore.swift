// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The host agent's state that survives a restart: VM definitions, monitoring state, reset
/// times and every event, in `<state-dir>/state.sqlite`.
///
/// Writes are committed before the caller acts on them: an event is in the file when
/// `append(_:change:)` returns. Heartbeat times are the exception; they are written in
/// batches (`saveHeartbeats(_:)`), because a restarted agent treats its restart as every
/// enabled VM's last heartbeat anyway. All methods are thread-safe.
public final class StateStore: @unchecked Sendable {
    /// The database file name inside the state directory.
    public static let fileName = "state.sqlite"

    /// The database file.
    public let path: String
    /// The run this process recorded at `beginRun`, stamped on every event it appends.
    public private(set) var run: Int64 = 0
    let lock = NSLock()
    let database: Database
    let insertEvent: DatabaseStatement
    let updateMonitoring: DatabaseStatement

    /// Opens (creating and migrating if needed) the store in `directory`.
    ///
    /// - Parameters:
    ///   - directory: the state directory; it must exist.
    ///   - durability: whether a commit must survive a power loss or only the process.
    /// - Throws: `DatabaseError` or `StateStoreError`.
    public init(directory: String, durability: Database.Durability = .process) throws {
        self.path = directory + "/" + Self.fileName
        let descriptor = open(self.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor >= 0 { _ = close(descriptor) }
        self.database = try Database(path: self.path, durability: durability)
        try Self.migrate(self.database)
        self.insertEvent = try self.database.prepare(
            "INSERT INTO events (at, vm, kind, fields, app_status, app_state, run) VALUES (?, ?, ?, ?, ?, ?, ?)")
        self.updateMonitoring = try self.database.prepare(
            "UPDATE monitoring SET app_status = ?, app_state = ?, enabled = coalesce(?, enabled),"
                + " powered_on_at = coalesce(?, powered_on_at) WHERE vm = ?")
    }

    /// Records that this process started, so its events can be told from earlier runs'.
    ///
    /// - Parameter date: the start time.
    /// - Returns: the previous run's stop time, or nil when it never stopped cleanly (a crash or
    ///   `kill -9`) or there was none.
    /// - Throws: `DatabaseError`.
    @discardableResult
    public func beginRun(at date: Date = Date()) throws -> (previousRun: Int64, stoppedCleanly: Bool)? {
        try self.lock.withLock {
            let last = try self.database.prepare("SELECT id, stopped_at FROM runs ORDER BY id DESC LIMIT 1")
            let previous = try last.step() ? (last.integer(at: 0), !last.isNull(at: 1)) : nil
            try self.database.run(
                "INSERT INTO runs (started_at, pid) VALUES (?, ?)",
                [.real(date.timeIntervalSince1970), .integer(Int64(getpid()))])
            self.run = self.database.lastInsertedRowID
            return previous.map { (previousRun: $0.0, stoppedCleanly: $0.1) }
        }
    }

    /// Records that this process stops cleanly.
    ///
    /// - Throws: `DatabaseError`.
    public func endRun(at date: Date = Date()) throws {
        try self.lock.withLock {
            try self.database.run(
                "UPDATE runs SET stopped_at = ? WHERE id = ?", [.real(date.timeIntervalSince1970), .integer(self.run)])
        }
    }

    // MARK: VMs

    /// Stores a VM's definition, creating its monitoring row (powered on at `poweredOnAt`) when new.
    ///
    /// - Parameters:
    ///   - vm: the definition.
    ///   - poweredOnAt: the power-on time of a new VM.
    /// - Throws: `DatabaseError`.
    public func saveVM(_ vm: StoredVM, poweredOnAt: Date = Date()) throws {
        try self.lock.withLock {
            try self.database.transaction {
                let definition = String(decoding: vm.definition, as: UTF8.self)
                try self.database.run(
                    "INSERT INTO vms (name, definition, origin, updated_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT(name) DO UPDATE SET definition = excluded.definition,"
                        + " origin = excluded.origin, updated_at = excluded.updated_at",
                    [.text(vm.name), .text(definition), .text(vm.origin.rawValue), .real(Date().timeIntervalSince1970)]
                )
                try self.database.run(
                    "INSERT OR IGNORE INTO monitoring (vm, powered_on_at) VALUES (?, ?)",
                    [.text(vm.name), .real(poweredOnAt.timeIntervalSince1970)])
            }
        }
    }

    /// Forgets a VM's definition, monitoring state and reset times; its events stay.
    ///
    /// - Parameter name: the VM's name.
    /// - Throws: `DatabaseError`.
    public func removeVM(named name: String) throws {
        try self.lock.withLock {
            try self.database.run("DELETE FROM vms WHERE name = ?", [.text(name)])
        }
    }

    /// Every stored VM definition, sorted by name.
    ///
    /// - Throws: `DatabaseError`.
    public func vms() throws -> [StoredVM] {
        try self.lock.withLock {
            let statement = try self.database.prepare("SELECT name, definition, origin FROM vms ORDER BY name")
            var result: [StoredVM] = []
            while try statement.step() {
                result.append(
                    StoredVM(
                        name: statement.text(at: 0), definition: Data(statement.text(at: 1).utf8),
                        origin: StoredVM.Origin(rawValue: statement.text(at: 2)) ?? .api))
            }
            return result
        }
    }

    /// The monitoring state of every stored VM, by name.
    ///
    /// - Throws: `DatabaseError`.
    public func monitoringStates() throws -> [String: StoredMonitoring] {
        try self.lock.withLock {
            let resets = try self.database.prepare("SELECT vm, at FROM resets ORDER BY vm, at")
            var resetTimes: [String: [Date]] = [:]
            while try resets.step() {
                resetTimes[resets.text(at: 0), default: []].append(Date(timeIntervalSince1970: resets.real(at: 1)))
            }
            let statement = try self.database.prepare(
                "SELECT vm, enabled, app_status, app_state, last_heartbeat, powered_on_at FROM monitoring")
            var result: [String: StoredMonitoring] = [:]
            while try statement.step() {
                let name = statement.text(at: 0)
                result[name] = StoredMonitoring(
                    isEnabled: statement.integer(at: 1) != 0, appStatus: statement.text(at: 2),
                    appState: statement.text(at: 3),
                    lastHeartbeat: statement.isNull(at: 4) ? nil : Date(timeIntervalSince1970: statement.real(at: 4)),
                    poweredOnAt: Date(timeIntervalSince1970: statement.real(at: 5)),
                    resetTimes: resetTimes[name] ?? [])
            }
            return result
        }
    }

    /// Writes the latest heartbeat time of several VMs in one transaction.
    ///
    /// - Parameter heartbeats: the time of each VM's last heartbeat.
    /// - Throws: `DatabaseError`.
    public func saveHeartbeats(_ heartbeats: [String: Date]) throws {
        guard !heartbeats.isEmpty else { return }
        try self.lock.withLock {
            try self.database.transaction {
                let statement = try self.database.prepare("UPDATE monitoring SET last_heartbeat = ? WHERE vm = ?")
                for (name, date) in heartbeats {
                    statement.reset()
                    try statement.bind([.real(date.timeIntervalSince1970), .text(name)])
                    try statement.step()
                }
            }
        }
    }
}

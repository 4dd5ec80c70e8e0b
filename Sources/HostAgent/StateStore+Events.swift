// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

extension StateStore {
    /// The most events one page holds.
    public static let maximumPageSize = 1000

    /// Commits an event together with what it changes in its VM's monitoring state.
    ///
    /// The event is in the file when this returns; the caller acts on it afterwards.
    ///
    /// - Parameters:
    ///   - event: the event; its `id` and `run` are assigned here.
    ///   - change: what the event changes in the VM's monitoring state.
    /// - Returns: the event as stored, with its id.
    /// - Throws: `DatabaseError`; the event is then not stored.
    @discardableResult
    public func append(_ event: StoredEvent, change: MonitoringChange = MonitoringChange()) throws -> StoredEvent {
        try self.lock.withLock {
            try self.database.transaction {
                var stored = event
                stored.run = self.run
                let fields = try JSONSerialization.data(withJSONObject: event.fields, options: [.sortedKeys])
                self.insertEvent.reset()
                try self.insertEvent.bind([
                    .real(event.date.timeIntervalSince1970), .text(event.vmName), .text(event.kind),
                    .text(String(decoding: fields, as: UTF8.self)), .text(event.appStatus), .text(event.appState),
                    .integer(self.run),
                ])
                try self.insertEvent.step()
                stored.id = self.database.lastInsertedRowID
                guard !event.vmName.isEmpty else { return stored }
                self.updateMonitoring.reset()
                try self.updateMonitoring.bind([
                    .text(event.appStatus), .text(event.appState),
                    change.isEnabled.map { .integer($0 ? 1 : 0) } ?? .null,
                    change.poweredOnAt.map { .real($0.timeIntervalSince1970) } ?? .null, .text(event.vmName),
                ])
                try self.updateMonitoring.step()
                if change.clearsResets {
                    try self.database.run("DELETE FROM resets WHERE vm = ?", [.text(event.vmName)])
                }
                if let date = change.resetAt {
                    try self.database.run(
                        "INSERT INTO resets (vm, at, cause) SELECT ?, ?, ? WHERE EXISTS"
                            + " (SELECT 1 FROM vms WHERE name = ?)",
                        [
                            .text(event.vmName), .real(date.timeIntervalSince1970),
                            .text(event.fields["cause"] ?? ""), .text(event.vmName),
                        ])
                }
                return stored
            }
        }
    }

    /// One page of events with ids above `after`, oldest first.
    ///
    /// - Parameters:
    ///   - after: the last id the caller has seen; 0 for the first page.
    ///   - limit: the most events to return, capped at `maximumPageSize`.
    ///   - vmName: only events of this VM, when given.
    ///   - kind: only events of this kind, when given.
    /// - Returns: the events in id order.
    /// - Throws: `DatabaseError`.
    public func events(
        after: Int64 = 0, limit: Int = 100, vmName: String? = nil, kind: String? = nil
    ) throws -> [StoredEvent] {
        let limit = max(0, min(limit, Self.maximumPageSize))
        return try self.lock.withLock {
            var sql = "SELECT id, at, vm, kind, fields, app_status, app_state, run FROM events WHERE id > ?"
            var values: [DatabaseValue] = [.integer(after)]
            if let vmName {
                sql += " AND vm = ?"
                values.append(.text(vmName))
            }
            if let kind {
                sql += " AND kind = ?"
                values.append(.text(kind))
            }
            sql += " ORDER BY id LIMIT ?"
            values.append(.integer(Int64(limit)))
            let statement = try self.database.prepare(sql)
            try statement.bind(values)
            var result: [StoredEvent] = []
            while try statement.step() {
                let fieldsData = Data(statement.text(at: 4).utf8)
                let fields = (try? JSONSerialization.jsonObject(with: fieldsData)) as? [String: String] ?? [:]
                result.append(
                    StoredEvent(
                        id: statement.integer(at: 0), date: Date(timeIntervalSince1970: statement.real(at: 1)),
                        vmName: statement.text(at: 2), kind: statement.text(at: 3), fields: fields,
                        appStatus: statement.text(at: 5), appState: statement.text(at: 6),
                        run: statement.integer(at: 7)))
            }
            return result
        }
    }

    /// The number of events stored, and the highest id.
    ///
    /// - Throws: `DatabaseError`.
    public func eventSummary() throws -> (count: Int, lastID: Int64) {
        try self.lock.withLock {
            let statement = try self.database.prepare("SELECT count(*), coalesce(max(id), 0) FROM events")
            try statement.step()
            return (Int(statement.integer(at: 0)), statement.integer(at: 1))
        }
    }

    /// The number of stored events of `kind` for each VM, such as resets done.
    ///
    /// - Parameter kind: the event kind, such as `reset-done`.
    /// - Returns: the count by VM name.
    /// - Throws: `DatabaseError`.
    public func eventCounts(ofKind kind: String) throws -> [String: Int] {
        try self.lock.withLock {
            let statement = try self.database.prepare("SELECT vm, count(*) FROM events WHERE kind = ? GROUP BY vm")
            try statement.bind([.text(kind)])
            var result: [String: Int] = [:]
            while try statement.step() {
                result[statement.text(at: 0)] = Int(statement.integer(at: 1))
            }
            return result
        }
    }

    /// The id of the latest stored event of each of `kinds`, by VM and kind.
    ///
    /// - Parameter kinds: the event kinds, such as `reset-started` and `reset-done`.
    /// - Returns: `[vm: [kind: id]]` for the VMs that have such events.
    /// - Throws: `DatabaseError`.
    public func latestEventIDs(ofKinds kinds: [String]) throws -> [String: [String: Int64]] {
        guard !kinds.isEmpty else { return [:] }
        return try self.lock.withLock {
            let placeholders = Array(repeating: "?", count: kinds.count).joined(separator: ", ")
            let statement = try self.database.prepare(
                "SELECT vm, kind, max(id) FROM events WHERE kind IN (\(placeholders)) GROUP BY vm, kind")
            try statement.bind(kinds.map { .text($0) })
            var result: [String: [String: Int64]] = [:]
            while try statement.step() {
                result[statement.text(at: 0), default: [:]][statement.text(at: 1)] = statement.integer(at: 2)
            }
            return result
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

/// The state store: schema versions and migrations, events, monitoring state, SQLite errors.
@Suite("State store")
final class StateStoreTests {
    let directory: String

    init() throws {
        self.directory = try DaemonFixture.makeTemporaryDirectory()
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    private func event(_ kind: String, vm: String = "vm1", status: String = "appStatusGreen") -> StoredEvent {
        StoredEvent(
            date: Date(timeIntervalSince1970: 1_800_000_000), vmName: vm, kind: kind, appStatus: status,
            appState: "none")
    }

    @Test func aNewStoreHasTheCurrentSchemaVersion() throws {
        _ = try StateStore(directory: self.directory)

        let database = try Database(path: self.directory + "/" + StateStore.fileName)
        #expect(try database.userVersion() == StateStore.schemaVersion)
    }

    @Test func aVersion1FileIsMigratedKeepingItsEvents() throws {
        let database = try Database(path: self.directory + "/" + StateStore.fileName)
        try database.execute(
            """
            CREATE TABLE vms (name TEXT PRIMARY KEY NOT NULL, definition TEXT NOT NULL, origin TEXT NOT NULL,
                updated_at REAL NOT NULL);
            CREATE TABLE monitoring (vm TEXT PRIMARY KEY NOT NULL REFERENCES vms(name) ON DELETE CASCADE,
                enabled INTEGER NOT NULL DEFAULT 0, app_status TEXT NOT NULL DEFAULT 'appStatusGray',
                app_state TEXT NOT NULL DEFAULT 'none', last_heartbeat REAL, powered_on_at REAL NOT NULL);
            CREATE TABLE resets (id INTEGER PRIMARY KEY, vm TEXT NOT NULL REFERENCES vms(name) ON DELETE CASCADE,
                at REAL NOT NULL, cause TEXT NOT NULL);
            CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, vm TEXT NOT NULL,
                kind TEXT NOT NULL, fields TEXT NOT NULL, app_status TEXT NOT NULL, app_state TEXT NOT NULL);
            INSERT INTO events (at, vm, kind, fields, app_status, app_state)
                VALUES (1.5, 'old', 'enabled', '{}', 'appStatusGreen', 'none');
            PRAGMA user_version=1;
            """)
        database.close()

        let store = try StateStore(directory: self.directory)

        let events = try store.events()
        #expect(events.map(\.kind) == ["enabled"])
        #expect(events.first?.run == 0)
        #expect(try Database(path: store.path).userVersion() == 2)
    }

    @Test func aFileFromANewerReleaseIsRefused() throws {
        let database = try Database(path: self.directory + "/" + StateStore.fileName)
        try database.setUserVersion(StateStore.schemaVersion + 1)
        database.close()

        #expect(throws: StateStoreError.newerSchema(found: StateStore.schemaVersion + 1, supported: 2)) {
            try StateStore(directory: self.directory)
        }
    }

    @Test func eventsGetIncreasingIdsAndTheRunThatRecordedThem() throws {
        let store = try StateStore(directory: self.directory)
        try store.beginRun()

        let first = try store.append(self.event("enabled"))
        let second = try store.append(self.event("disabled"))

        #expect(second.id == first.id + 1)
        #expect(first.run == store.run)
        #expect(try store.events().map(\.id) == [first.id, second.id])
    }

    @Test func eventsArePagedAfterAnId() throws {
        let store = try StateStore(directory: self.directory)
        for index in 0..<5 { try store.append(self.event("e\(index)")) }

        let page = try store.events(after: 2, limit: 2)

        #expect(page.map(\.kind) == ["e2", "e3"])
        #expect(page.map(\.id) == [3, 4])
    }

    @Test func eventsCanBeFilteredByVMAndKind() throws {
        let store = try StateStore(directory: self.directory)
        try store.append(self.event("enabled", vm: "a"))
        try store.append(self.event("enabled", vm: "b"))
        try store.append(self.event("disabled", vm: "b"))

        #expect(try store.events(vmName: "b").map(\.kind) == ["enabled", "disabled"])
        #expect(try store.events(kind: "enabled").map(\.vmName) == ["a", "b"])
    }

    @Test func anEventCommitsItsMonitoringChange() throws {
        let store = try StateStore(directory: self.directory)
        let powerOn = Date(timeIntervalSince1970: 1_700_000_000)
        try store.saveVM(StoredVM(name: "vm1", definition: Data("{}".utf8), origin: .api), poweredOnAt: powerOn)
        let resetTime = Date(timeIntervalSince1970: 1_800_000_000)

        try store.append(self.event("enabled"), change: MonitoringChange(isEnabled: true))
        try store.append(
            StoredEvent(
                date: resetTime, vmName: "vm1", kind: "reset-started", fields: ["cause": "appHeartbeatFailure"],
                appStatus: "appStatusGray", appState: "none"),
            change: MonitoringChange(isEnabled: false, poweredOnAt: resetTime, resetAt: resetTime))

        let state = try #require(try store.monitoringStates()["vm1"])
        #expect(state.isEnabled == false)
        #expect(state.appStatus == "appStatusGray")
        #expect(state.poweredOnAt == resetTime)
        #expect(state.resetTimes == [resetTime])
    }

    @Test func removingAVMKeepsItsEventsAndForgetsItsState() throws {
        let store = try StateStore(directory: self.directory)
        try store.saveVM(StoredVM(name: "vm1", definition: Data("{}".utf8), origin: .api))
        try store.append(self.event("enabled"), change: MonitoringChange(isEnabled: true))

        try store.removeVM(named: "vm1")

        #expect(try store.vms().isEmpty)
        #expect(try store.monitoringStates().isEmpty)
        #expect(try store.eventSummary().count == 1)
    }

    @Test func aRunWithoutEndRunIsReportedAsNotStoppedCleanly() throws {
        let store = try StateStore(directory: self.directory)
        try store.beginRun()

        let previous = try #require(try StateStore(directory: self.directory).beginRun())

        #expect(previous.stoppedCleanly == false)
    }

    @Test func aFailedStatementNamesTheStepTheSQLAndSQLitesMessage() throws {
        let database = try Database(path: self.directory + "/" + StateStore.fileName)

        let error = try #require(throws: DatabaseError.self) { try database.run("INSERT INTO missing VALUES (1)") }

        #expect(error.step == "prepare")
        #expect(error.subject == "INSERT INTO missing VALUES (1)")
        #expect(error.message == "no such table: missing")
        #expect(
            error.description
                == "sqlite prepare failed for `INSERT INTO missing VALUES (1)`: no such table: missing (code 1)")
    }

    @Test func aFailedTransactionIsRolledBack() throws {
        let database = try Database(path: self.directory + "/" + StateStore.fileName)
        try database.execute("CREATE TABLE t (a INTEGER UNIQUE)")

        #expect(throws: DatabaseError.self) {
            try database.transaction {
                try database.run("INSERT INTO t VALUES (1)")
                try database.run("INSERT INTO t VALUES (1)")
            }
        }

        let count = try database.prepare("SELECT count(*) FROM t")
        try count.step()
        #expect(count.integer(at: 0) == 0)
    }

    @Test func theDatabaseRunsInWALMode() throws {
        let database = try Database(path: self.directory + "/" + StateStore.fileName)

        let mode = try database.prepare("PRAGMA journal_mode")
        try mode.step()

        #expect(mode.text(at: 0) == "wal")
    }
}

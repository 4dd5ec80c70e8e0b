// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension StateStore {
    /// The schema version this code writes; `PRAGMA user_version` holds the file's version.
    public static let schemaVersion = 2

    /// The migrations, in order: entry `n` takes a file from version `n` to `n + 1`.
    ///
    /// A new schema adds an entry here; existing entries never change, so a file from any
    /// earlier release upgrades step by step.
    static let migrations: [String] = [
        // 0 -> 1: VM definitions, monitoring state, reset times and the event log.
        """
        CREATE TABLE vms (
            name TEXT PRIMARY KEY NOT NULL,
            definition TEXT NOT NULL,
            origin TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE TABLE monitoring (
            vm TEXT PRIMARY KEY NOT NULL REFERENCES vms(name) ON DELETE CASCADE,
            enabled INTEGER NOT NULL DEFAULT 0,
            app_status TEXT NOT NULL DEFAULT 'appStatusGray',
            app_state TEXT NOT NULL DEFAULT 'none',
            last_heartbeat REAL,
            powered_on_at REAL NOT NULL
        );
        CREATE TABLE resets (
            id INTEGER PRIMARY KEY,
            vm TEXT NOT NULL REFERENCES vms(name) ON DELETE CASCADE,
            at REAL NOT NULL,
            cause TEXT NOT NULL
        );
        CREATE INDEX resets_by_vm ON resets(vm, at);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            vm TEXT NOT NULL,
            kind TEXT NOT NULL,
            fields TEXT NOT NULL,
            app_status TEXT NOT NULL,
            app_state TEXT NOT NULL
        );
        CREATE INDEX events_by_vm ON events(vm, id);
        """,
        // 1 -> 2: the agent's runs, so an event says which run recorded it and a restart after
        // a crash can be told from one after a clean stop.
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at REAL NOT NULL,
            stopped_at REAL,
            pid INTEGER NOT NULL
        );
        ALTER TABLE events ADD COLUMN run INTEGER NOT NULL DEFAULT 0;
        """,
    ]

    /// Brings the file to `schemaVersion`, one migration per transaction.
    ///
    /// - Parameters:
    ///   - database: the open database.
    ///   - target: the version to reach; `schemaVersion` except in migration tests.
    /// - Throws: `StateStoreError.newerSchema` for a file written by a newer release, or the
    ///   `DatabaseError` of the failing migration (its version is then left unchanged).
    static func migrate(_ database: Database, to target: Int = StateStore.schemaVersion) throws {
        let current = try database.userVersion()
        guard current <= Self.migrations.count else {
            throw StateStoreError.newerSchema(found: current, supported: Self.migrations.count)
        }
        for version in current..<target {
            try database.transaction {
                try database.execute(Self.migrations[version])
                try database.setUserVersion(version + 1)
            }
        }
    }
}

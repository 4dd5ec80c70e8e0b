// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CSQLite
import Foundation

/// One open SQLite database file: the only owner of its `sqlite3` pointer.
///
/// The connection is opened in WAL mode with foreign keys on. A `Database` is not
/// thread-safe by itself; its owner serialises calls (the `StateStore` holds a lock).
/// Every failure is a `DatabaseError` naming the SQL step and SQLite's message.
///
/// ```swift
/// let database = try Database(path: "/var/lib/guestsdk-host/state.sqlite")
/// try database.transaction {
///     try database.run("INSERT INTO t (a) VALUES (?)", [.integer(1)])
/// }
/// ```
public final class Database {
    /// How hard a commit waits for the disk.
    public enum Durability: String, Sendable, Codable {
        /// `synchronous=NORMAL` in WAL mode: a commit survives the process being killed
        /// (the WAL is in the operating system's cache), not a power loss.
        case process
        /// `synchronous=FULL`: a commit also survives a power loss, at one fsync per commit.
        case power
    }

    /// The file the database lives in.
    public let path: String
    private var handle: OpaquePointer?
    private var isInTransaction = false

    /// Opens (creating if needed) the database at `path` in WAL mode.
    ///
    /// - Parameters:
    ///   - path: the database file.
    ///   - durability: how hard a commit waits for the disk.
    /// - Throws: `DatabaseError` when the file cannot be opened or set up.
    public init(path: String, durability: Durability = .process) throws {
        self.path = path
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let result = sqlite3_open_v2(path, &opened, flags, nil)
        guard result == SQLITE_OK else {
            let error = DatabaseError(step: "open", subject: path, handle: opened)
            sqlite3_close_v2(opened)
            throw error
        }
        self.handle = opened
        sqlite3_extended_result_codes(opened, 1)
        sqlite3_busy_timeout(opened, 5000)
        try self.execute("PRAGMA journal_mode=WAL")
        try self.execute("PRAGMA synchronous=\(durability == .power ? "FULL" : "NORMAL")")
        try self.execute("PRAGMA foreign_keys=ON")
    }

    deinit {
        self.close()
    }

    /// Closes the connection; later calls throw.
    public func close() {
        guard let handle = self.handle else { return }
        sqlite3_close_v2(handle)
        self.handle = nil
    }

    /// Runs one or more SQL statements that return no rows (`sqlite3_exec`).
    ///
    /// - Parameter sql: the statements.
    /// - Throws: `DatabaseError` with step `exec`.
    public func execute(_ sql: String) throws {
        let handle = try self.openHandle(for: sql)
        var message: UnsafeMutablePointer<CChar>?
        let result = sqlite3_exec(handle, sql, nil, nil, &message)
        guard result == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(result))
            sqlite3_free(message)
            throw DatabaseError(step: "exec", subject: sql, code: result, message: text)
        }
    }

    /// Prepares one statement (`sqlite3_prepare_v2`).
    ///
    /// - Parameter sql: one SQL statement with `?` parameters.
    /// - Returns: the statement, ready to bind and step.
    /// - Throws: `DatabaseError` with step `prepare`.
    public func prepare(_ sql: String) throws -> DatabaseStatement {
        let handle = try self.openHandle(for: sql)
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw DatabaseError(step: "prepare", subject: sql, handle: handle)
        }
        return DatabaseStatement(statement: statement, sql: sql, database: self)
    }

    /// Prepares, binds and runs a statement that returns no rows.
    ///
    /// - Parameters:
    ///   - sql: one SQL statement.
    ///   - values: the values of its `?` parameters, in order.
    /// - Throws: `DatabaseError` naming the step that failed.
    public func run(_ sql: String, _ values: [DatabaseValue] = []) throws {
        let statement = try self.prepare(sql)
        try statement.bind(values)
        while try statement.step() {}
    }

    /// Runs `body` inside `BEGIN IMMEDIATE` … `COMMIT`, rolling back when it throws.
    ///
    /// Nested calls join the outer transaction.
    ///
    /// - Parameter body: the work to do atomically.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, or `DatabaseError` from `BEGIN` or `COMMIT`.
    public func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        if self.isInTransaction { return try body() }
        try self.execute("BEGIN IMMEDIATE")
        self.isInTransaction = true
        defer { self.isInTransaction = false }
        do {
            let result = try body()
            try self.execute("COMMIT")
            return result
        } catch {
            try? self.execute("ROLLBACK")
            throw error
        }
    }

    /// The schema version stored in the file header (`PRAGMA user_version`).
    ///
    /// - Throws: `DatabaseError` when the pragma fails.
    public func userVersion() throws -> Int {
        let statement = try self.prepare("PRAGMA user_version")
        guard try statement.step() else { return 0 }
        return Int(statement.integer(at: 0))
    }

    /// Stores the schema version in the file header.
    ///
    /// - Parameter version: the new version.
    /// - Throws: `DatabaseError` when the pragma fails.
    public func setUserVersion(_ version: Int) throws {
        try self.execute("PRAGMA user_version=\(version)")
    }

    /// The rowid of the last row inserted on this connection (`sqlite3_last_insert_rowid`).
    public var lastInsertedRowID: Int64 {
        self.handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// The rows changed by the last statement (`sqlite3_changes`).
    public var changes: Int {
        self.handle.map { Int(sqlite3_changes($0)) } ?? 0
    }

    func openHandle(for sql: String) throws -> OpaquePointer {
        guard let handle = self.handle else {
            throw DatabaseError(step: "use", subject: sql, code: SQLITE_MISUSE, message: "the database is closed")
        }
        return handle
    }
}

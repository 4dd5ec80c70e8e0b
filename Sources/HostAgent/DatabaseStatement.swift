// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CSQLite

/// One prepared SQLite statement: the only owner of its `sqlite3_stmt` pointer.
///
/// Bind values, then call `step()` until it returns false; read columns while it
/// returns true. `reset()` makes it ready to bind and run again.
public final class DatabaseStatement {
    /// The SQL the statement was prepared from.
    public let sql: String
    private let statement: OpaquePointer
    private let database: Database

    init(statement: OpaquePointer, sql: String, database: Database) {
        self.statement = statement
        self.sql = sql
        self.database = database
    }

    deinit {
        sqlite3_finalize(self.statement)
    }

    /// Binds `values` to the parameters `?1`, `?2`, … (`sqlite3_bind_*`).
    ///
    /// - Parameter values: one value per parameter, in order.
    /// - Throws: `DatabaseError` with step `bind`.
    public func bind(_ values: [DatabaseValue]) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let result: Int32
            switch value {
            case .null: result = sqlite3_bind_null(self.statement, index)
            case .integer(let number): result = sqlite3_bind_int64(self.statement, index, number)
            case .real(let number): result = sqlite3_bind_double(self.statement, index, number)
            case .text(let text):
                result = sqlite3_bind_text(self.statement, index, text, -1, Self.transient)
            }
            guard result == SQLITE_OK else {
                throw DatabaseError(
                    step: "bind", subject: self.sql, code: result, message: String(cString: sqlite3_errstr(result)))
            }
        }
    }

    /// Runs the statement to its next row (`sqlite3_step`).
    ///
    /// - Returns: true when a row is available to read, false when the statement is done.
    /// - Throws: `DatabaseError` with step `step` and SQLite's message.
    @discardableResult
    public func step() throws -> Bool {
        switch sqlite3_step(self.statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let handle = try self.database.openHandle(for: self.sql)
            let error = DatabaseError(step: "step", subject: self.sql, handle: handle)
            sqlite3_reset(self.statement)
            throw error
        }
    }

    /// Makes the statement ready to run again, clearing its bindings.
    public func reset() {
        sqlite3_reset(self.statement)
        sqlite3_clear_bindings(self.statement)
    }

    /// True when column `index` of the current row is NULL.
    public func isNull(at index: Int32) -> Bool {
        sqlite3_column_type(self.statement, index) == SQLITE_NULL
    }

    /// Column `index` of the current row as an integer (0 for NULL).
    public func integer(at index: Int32) -> Int64 {
        sqlite3_column_int64(self.statement, index)
    }

    /// Column `index` of the current row as a double (0 for NULL).
    public func real(at index: Int32) -> Double {
        sqlite3_column_double(self.statement, index)
    }

    /// Column `index` of the current row as text (empty for NULL).
    public func text(at index: Int32) -> String {
        guard let bytes = sqlite3_column_text(self.statement, index) else { return "" }
        return String(cString: bytes)
    }

    /// SQLite's "copy the bytes now" destructor marker.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

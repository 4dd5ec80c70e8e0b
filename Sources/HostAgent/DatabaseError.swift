// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CSQLite

/// A failed SQLite call: which step failed, on which SQL, and SQLite's own code and message.
public struct DatabaseError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The step that failed, such as `open`, `prepare`, `bind`, `step` or `exec`.
    public var step: String
    /// The SQL text (or the file path for `open`) the step worked on.
    public var subject: String
    /// SQLite's extended result code.
    public var code: Int32
    /// SQLite's message for the failure (`sqlite3_errmsg`), or a description of a wrapper check.
    public var message: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - step: the step that failed.
    ///   - subject: the SQL or path it worked on.
    ///   - code: SQLite's result code.
    ///   - message: SQLite's message.
    public init(step: String, subject: String, code: Int32, message: String) {
        self.step = step
        self.subject = subject
        self.code = code
        self.message = message
    }

    /// Reads the code and message of the last failed call on `handle` right away.
    init(step: String, subject: String, handle: OpaquePointer?) {
        let code = handle.map { sqlite3_extended_errcode($0) } ?? SQLITE_NOMEM
        let message = handle.flatMap { sqlite3_errmsg($0).map { String(cString: $0) } } ?? "out of memory"
        self.init(step: step, subject: subject, code: code, message: message)
    }

    public var description: String {
        "sqlite \(self.step) failed for `\(self.subject)`: \(self.message) (code \(self.code))"
    }
}

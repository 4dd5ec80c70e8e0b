// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// A small structured logger that is passed in, never global.
///
/// Messages and metadata are autoclosures, so a disabled level costs almost nothing; data goes
/// in `metadata` as key=value fields rather than in the message text. Libraries
/// log at `debug`; the host daemon logs state changes at `info` or above.
public struct Logger: Sendable {
    /// How severe an entry is, from the chattiest to the most urgent.
    public enum Level: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            case .critical: "critical"
            }
        }

        /// Parses a level name such as `info` or `warning`; returns nil for anything else.
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.description == name.lowercased() }) else {
                return nil
            }
            self = level
        }
    }

    /// Key=value fields attached to one entry, kept in the order given.
    public typealias Metadata = KeyValuePairs<String, String>

    /// One log entry as a handler receives it.
    public struct Entry: Sendable, Equatable {
        public var level: Level
        public var label: String
        public var message: String
        public var metadata: [Field]
    }

    /// One key=value field of an entry.
    public struct Field: Sendable, Equatable {
        public var key: String
        public var value: String
    }

    /// The component this logger speaks for, printed with every entry.
    public let label: String

    /// Entries below this level are dropped before their message is built.
    public var minimumLevel: Level

    private let handler: @Sendable (Entry) -> Void

    /// Creates a logger that hands every entry at or above `minimumLevel` to `handler`.
    public init(label: String, minimumLevel: Level = .info, handler: @escaping @Sendable (Entry) -> Void) {
        self.label = label
        self.minimumLevel = minimumLevel
        self.handler = handler
    }

    /// A logger that drops everything, for callers that do not want library logs.
    public static let disabled = Logger(label: "disabled", minimumLevel: .critical) { _ in }

    /// A logger that writes one line per entry to standard error.
    public static func standardError(label: String, minimumLevel: Level = .info) -> Logger {
        Logger(label: label, minimumLevel: minimumLevel) { entry in
            LogLineWriter.standardError.write(entry)
        }
    }

    /// Returns a copy with `label` replaced, sharing the handler.
    public func withLabel(_ label: String) -> Logger {
        Logger(label: label, minimumLevel: self.minimumLevel, handler: self.handler)
    }

    /// Logs `message` at `level` with `metadata` when the level is enabled.
    ///
    /// Both are autoclosures: at a disabled level neither the text nor the metadata dictionary is built.
    public func log(_ level: Level, _ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:])
    {
        guard level >= self.minimumLevel else { return }
        let fields = metadata().map { Field(key: $0.key, value: $0.value) }
        self.handler(Entry(level: level, label: self.label, message: message(), metadata: fields))
    }

    public func trace(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        self.log(.trace, message(), metadata())
    }

    public func debug(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        self.log(.debug, message(), metadata())
    }

    public func info(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        self.log(.info, message(), metadata())
    }

    public func notice(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        self.log(.notice, message(), metadata())
    }

    public func warning(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        self.log(.warning, message(), metadata())
    }

    public func error(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        self.log(.error, message(), metadata())
    }

    public func critical(_ message: @autoclosure () -> String, _ metadata: @autoclosure () -> Metadata = [:]) {
        self.log(.critical, message(), metadata())
    }
}

extension Logger.Entry {
    /// The entry as one line: `2026-12-03T15:55:00.123Z info label: message key=value ...`.
    ///
    /// - Parameter secondsSince1970: the time to print, in seconds since 1970-01-01 UTC; nil for now.
    /// - Returns: the line, without a line feed.
    public func formatted(secondsSince1970: Double? = nil) -> String {
        let time = secondsSince1970 ?? LogLineWriter.now()
        var line = "\(LogLineWriter.timestamp(time)) \(self.level) \(self.label): \(self.message)"
        for field in self.metadata {
            line += " \(field.key)=\(LogLineWriter.quoted(field.value))"
        }
        return line
    }
}

/// Writes formatted entries to a file descriptor, one `write(2)` per line so
/// that lines from several threads never interleave.
struct LogLineWriter: Sendable {
    static let standardError = LogLineWriter(fileDescriptor: STDERR_FILENO)

    let fileDescriptor: Int32

    func write(_ entry: Logger.Entry) {
        let line = entry.formatted() + "\n"
        line.utf8CString.withUnsafeBufferPointer { buffer in
            _ = Glibc.write(self.fileDescriptor, buffer.baseAddress, buffer.count - 1)
        }
    }

    /// The wall-clock time (`clock_gettime(CLOCK_REALTIME)`) in seconds since 1970-01-01 UTC.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// `secondsSince1970` as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the milliseconds truncated.
    static func timestamp(_ secondsSince1970: Double) -> String {
        var seconds = time_t(secondsSince1970)
        let milliseconds = Int(secondsSince1970 * 1000) % 1000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
            + "T\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))"
            + ".\(padded(Int32(milliseconds), 3))Z"
    }

    /// `value` in decimal with zeros in front up to `width` digits, as printf's `%0<width>d`.
    static func padded(_ value: Int32, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        let zeros = max(0, width - sign.count - digits.count)
        return sign + String(repeating: "0", count: zeros) + digits
    }

    /// Quotes a value that holds a space, a quote or an equals sign, so lines stay machine-readable.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else {
            return value
        }
        var quoted = "\""
        for character in value {
            switch character {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            default: quoted.append(character)
            }
        }
        return quoted + "\""
    }
}

/// Collects entries in memory, for tests that check what was logged.
public final class InMemoryLog: @unchecked Sendable {
    private let lock = Lock()
    private var storage: [Logger.Entry] = []

    public init() {}

    /// A logger at `minimumLevel` whose entries land in this log.
    public func logger(label: String = "test", minimumLevel: Logger.Level = .trace) -> Logger {
        Logger(label: label, minimumLevel: minimumLevel) { [self] entry in
            self.lock.lock()
            self.storage.append(entry)
            self.lock.unlock()
        }
    }

    /// Every entry logged so far, oldest first.
    public var entries: [Logger.Entry] {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.storage
    }
}

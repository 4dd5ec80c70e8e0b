// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc

/// The secret the control API requires: 32 random bytes as 64 hex digits, in a file of the
/// state directory that only the agent's user can read.
public struct ControlToken: Sendable {
    /// The token file's name inside the state directory.
    public static let fileName = "control.token"

    /// The token text, 64 lower-case hex digits.
    public let value: String

    /// Wraps a known token, such as one read by a client.
    public init(value: String) {
        self.value = value
    }

    /// Reads the token file in `directory`, creating it (mode 0600, random bytes) when absent.
    ///
    /// - Parameter directory: the state directory.
    /// - Returns: the token.
    /// - Throws: `ControlTokenError` when the file cannot be created or read, or when other users
    ///   can read it.
    public static func loadOrCreate(inDirectory directory: String) throws -> ControlToken {
        let path = directory + "/" + Self.fileName
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            var generator = SystemRandomNumberGenerator()
            let text = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
                .joined()
            let bytes = Array((text + "\n").utf8)
            let written = write(descriptor, bytes, bytes.count)
            let error = errno
            let synced = fsync(descriptor)
            _ = close(descriptor)
            guard written == bytes.count, synced == 0 else {
                _ = unlink(path)
                throw ControlTokenError(
                    path: path, systemCall: written == bytes.count ? "fsync" : "write", errno: error)
            }
            return ControlToken(value: text)
        }
        let error = errno
        guard error == EEXIST else { throw ControlTokenError(path: path, systemCall: "open", errno: error) }
        return try Self.read(path: path)
    }

    /// Reads an existing token file, as `guestsdk-host ctl` does.
    ///
    /// - Parameter path: the token file.
    /// - Returns: the token.
    /// - Throws: `ControlTokenError` when the file cannot be read, is readable by other users, or
    ///   holds no token.
    public static func read(path: String) throws -> ControlToken {
        var status = stat()
        guard stat(path, &status) == 0 else { throw ControlTokenError(path: path, systemCall: "stat", errno: errno) }
        guard status.st_mode & 0o077 == 0 else {
            throw ControlTokenError(
                path: path,
                reason: "other users can read it (mode \(String(status.st_mode & 0o777, radix: 8))); run chmod 600")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ControlTokenError(path: path, reason: "cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ControlTokenError(path: path, reason: "is empty") }
        return ControlToken(value: text)
    }

    /// True when `header` is exactly `Bearer <token>`, compared in constant time.
    ///
    /// - Parameter header: the request's `Authorization` header, if any.
    /// - Returns: whether the request may use protected routes.
    public func authorizes(_ header: String?) -> Bool {
        let expected = Array(("Bearer " + self.value).utf8)
        let given = Array((header ?? "").utf8)
        var difference = UInt8(truncatingIfNeeded: expected.count ^ given.count)
        for index in 0..<expected.count {
            let byte = index < given.count ? given[index] : 0
            difference |= expected[index] ^ byte
        }
        return difference == 0 && expected.count == given.count
    }
}

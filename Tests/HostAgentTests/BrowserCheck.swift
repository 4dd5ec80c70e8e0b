// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc

/// `scripts/browser-check` running headless Chromium on one page, driven line by line.
final class BrowserCheck {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The repository's root, found from this file's path.
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// True when a Chromium binary the script can start is installed.
    static var chromiumIsInstalled: Bool {
        ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered: [UInt8] = []

    /// Starts the script on `url` and waits for its `ready` line.
    init(url: String, window: String = "1280x860") throws {
        self.process.executableURL = URL(fileURLWithPath: Self.repositoryRoot + "/scripts/browser-check")
        self.process.arguments = ["--url", url, "--window", window]
        self.process.standardInput = self.input
        self.process.standardOutput = self.output
        try self.process.run()
        let first = try self.readLine(timeoutSeconds: 60)
        guard first == "ready" else { throw Failure(description: "browser-check did not start: \(first)") }
    }

    deinit {
        if self.process.isRunning {
            try? self.input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
            self.process.terminate()
        }
    }

    /// Polls `expression` in the page until it is truthy; returns its JSON value, or throws after `seconds`.
    func wait(seconds: Int, for expression: String) throws -> String {
        let reply = try self.command("wait \(seconds) \(expression)", timeoutSeconds: seconds + 30)
        guard reply.hasPrefix("ok ") else { throw Failure(description: "page never showed \(expression): \(reply)") }
        return String(reply.dropFirst(3))
    }

    /// Saves a PNG of the whole page.
    func screenshot(to path: String) throws {
        let reply = try self.command("screenshot \(path)", timeoutSeconds: 60)
        guard reply.hasPrefix("ok ") else { throw Failure(description: "screenshot failed: \(reply)") }
    }

    /// Closes the browser and waits for the script to exit.
    func quit() throws -> Int32 {
        try self.input.fileHandleForWriting.write(contentsOf: Data("quit\n".utf8))
        self.process.waitUntilExit()
        return self.process.terminationStatus
    }

    private func command(_ line: String, timeoutSeconds: Int) throws -> String {
        try self.input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        return try self.readLine(timeoutSeconds: timeoutSeconds)
    }

    /// Reads one line of the script's output, waiting at most `timeoutSeconds` with `poll`.
    private func readLine(timeoutSeconds: Int) throws -> String {
        let descriptor = self.output.fileHandleForReading.fileDescriptor
        let limit = Date(timeIntervalSinceNow: Double(timeoutSeconds))
        while !self.buffered.contains(UInt8(ascii: "\n")) {
            let remaining = Int32(max(0, limit.timeIntervalSinceNow * 1000))
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard remaining > 0, poll(&entry, 1, remaining) > 0 else {
                throw Failure(description: "browser-check said nothing for \(timeoutSeconds) s")
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = read(descriptor, &chunk, chunk.count)
            guard count > 0 else {
                throw Failure(description: "browser-check exited: \(String(decoding: self.buffered, as: UTF8.self))")
            }
            self.buffered += chunk[..<count]
        }
        let newline = self.buffered.firstIndex(of: UInt8(ascii: "\n"))!
        let line = String(decoding: self.buffered[..<newline], as: UTF8.self)
        self.buffered.removeSubrange(...newline)
        return line
    }
}

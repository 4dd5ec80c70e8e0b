// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc

/// One run of a built executable of this package, with its standard streams on
/// pipes. Every wait is bounded; none sleeps for a fixed time.
final class ToolProcess: @unchecked Sendable {
    /// The result of a run that has ended.
    struct Result: Equatable {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// The directory that holds the built products; on Linux the test bundle is an executable in
    /// it.
    static let productsDirectory: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return bundle.deletingLastPathComponent()
    }()

    /// The path of the built executable `name`, or nil when it has not been built.
    static func executablePath(_ name: String) -> String? {
        let path = self.productsDirectory.appendingPathComponent(name).path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let condition = NSCondition()
    private var outputBytes: [UInt8] = []
    private var errorBytes: [UInt8] = []
    private var openStreams = 2
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `executable` with `arguments` and `environment` added to this process's environment.
    init(executable: String, arguments: [String], environment: [String: String]) throws {
        self.process.executableURL = URL(fileURLWithPath: executable)
        self.process.arguments = arguments
        self.process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        self.process.standardInput = self.input
        self.process.standardOutput = self.output
        self.process.standardError = self.errors
        self.process.terminationHandler = { [exited] _ in exited.signal() }
        try self.process.run()
        self.collect(self.output.fileHandleForReading, isOutput: true)
        self.collect(self.errors.fileHandleForReading, isOutput: false)
    }

    /// Runs `executable` to its end, with nothing on standard input, for at most `timeout` seconds.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        timeout: TimeInterval = 20
    ) throws -> Result? {
        let tool = try ToolProcess(
            executable: executable, arguments: arguments, environment: environment)
        tool.closeInput()
        return tool.waitForExit(timeout: timeout)
    }

    /// Reads `handle` to its end on a thread of its own, with blocking reads.
    private func collect(_ handle: FileHandle, isOutput: Bool) {
        let descriptor = handle.fileDescriptor
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes {
                    Glibc.read(descriptor, $0.baseAddress, $0.count)
                }
                if count < 0 && errno == EINTR { continue }
                self.condition.lock()
                if count <= 0 {
                    self.openStreams -= 1
                } else if isOutput {
                    self.outputBytes.append(contentsOf: buffer[0..<count])
                } else {
                    self.errorBytes.append(contentsOf: buffer[0..<count])
                }
                self.condition.broadcast()
                self.condition.unlock()
                if count <= 0 { return }
            }
        }
    }

    /// Everything written to standard output so far.
    var standardOutput: String {
        self.condition.withLock { String(decoding: self.outputBytes, as: UTF8.self) }
    }

    /// Everything written to standard error so far.
    var standardError: String {
        self.condition.withLock { String(decoding: self.errorBytes, as: UTF8.self) }
    }

    /// Waits until standard output contains `text`, at most `timeout` seconds.
    func waitForOutput(containing text: String, timeout: TimeInterval = 20) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        self.condition.lock()
        defer { self.condition.unlock() }
        while !String(decoding: self.outputBytes, as: UTF8.self).contains(text) {
            guard self.openStreams > 0, self.condition.wait(until: deadline) else {
                return String(decoding: self.outputBytes, as: UTF8.self).contains(text)
            }
        }
        return true
    }

    /// Waits until standard output contains `text` at least `count` times, at most `timeout`
    /// seconds.
    func waitForOutput(
        matchingCount count: Int, of text: String, timeout: TimeInterval = 20
    ) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        self.condition.lock()
        defer { self.condition.unlock() }
        func matches() -> Bool {
            String(decoding: self.outputBytes, as: UTF8.self).components(separatedBy: text).count
                - 1 >= count
        }
        while !matches() {
            guard self.openStreams > 0, self.condition.wait(until: deadline) else {
                return matches()
            }
        }
        return true
    }

    /// Writes `text` to the process's standard input.
    func write(_ text: String) {
        self.input.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Closes the process's standard input: it reads end of file.
    func closeInput() {
        try? self.input.fileHandleForWriting.close()
    }

    /// Sends `signal` to the process.
    func send(signal: Int32) {
        kill(self.process.processIdentifier, signal)
    }

    /// Waits for the process to end and its output to be read, at most `timeout` seconds;
    /// kills it and returns nil when it does not end in time.
    func waitForExit(timeout: TimeInterval = 20) -> Result? {
        guard self.exited.wait(timeout: .now() + timeout) == .success else {
            self.send(signal: SIGKILL)
            return nil
        }
        let deadline = Date(timeIntervalSinceNow: 5)
        self.condition.lock()
        while self.openStreams > 0 && self.condition.wait(until: deadline) {}
        let result = Result(
            status: self.process.terminationStatus,
            standardOutput: String(decoding: self.outputBytes, as: UTF8.self),
            standardError: String(decoding: self.errorBytes, as: UTF8.self)
        )
        self.condition.unlock()
        return result
    }

    deinit {
        if self.process.isRunning {
            self.send(signal: SIGKILL)
        }
    }
}

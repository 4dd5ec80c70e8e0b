// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// What a child process did: its exit status and everything it wrote.
struct ProcessResult: CustomStringConvertible {
    var status: Int32
    var standardOutput: String
    var standardError: String

    /// The lines it wrote to standard output.
    var lines: [String] {
        self.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.isEmpty }
    }

    var description: String {
        "exit \(self.status)\n--- stdout\n\(self.standardOutput)--- stderr\n\(self.standardError)"
    }
}

/// Why a child process could not be run to its end.
struct ProcessRunError: Error, CustomStringConvertible {
    var command: [String]
    var reason: String

    var description: String { "\(self.command.joined(separator: " ")): \(self.reason)" }
}

/// Runs programs (gcc, the C samples, java, the scripts) and waits for them with a deadline.
enum ProcessRunner {
    /// Runs `command` to its end with standard output and error captured in files.
    ///
    /// - Parameters:
    ///   - command: the program (a path, or a name looked up in PATH) and its arguments.
    ///   - environment: variables added to this process's environment.
    ///   - directory: the working directory, or the current one.
    ///   - timeout: how long to wait before the process is killed and the run fails.
    /// - Returns: its exit status and output.
    /// - Throws: `ProcessRunError` when it cannot start or does not end in time.
    static func run(
        _ command: [String], environment: [String: String] = [:], directory: URL? = nil,
        timeout: TimeInterval = 120
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let directory {
            process.currentDirectoryURL = directory
        }
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent("guestsdkc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outputs) }
        let standardOutput = outputs.appendingPathComponent("stdout")
        let standardError = outputs.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
        _ = FileManager.default.createFile(atPath: standardError.path, contents: nil)
        let outputHandle = try FileHandle(forWritingTo: standardOutput)
        let errorHandle = try FileHandle(forWritingTo: standardError)
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice

        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw ProcessRunError(command: command, reason: "cannot start: \(error)")
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            finished.wait()
            throw ProcessRunError(command: command, reason: "still running after \(Int(timeout)) s; killed")
        }
        try outputHandle.close()
        try errorHandle.close()
        return ProcessResult(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOf: standardOutput, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: standardError, encoding: .utf8)) ?? ""
        )
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Synchronization

/// The two C libraries, linked once per test run by scripts/build-clibs from the
/// GuestSDKC objects this test build already compiled, and the C programs the
/// tests build against them.
final class CLibraries: Sendable {
    /// The libraries of this test run, linked on first use.
    static let shared: Result<CLibraries, ProcessRunError> = Result { try CLibraries() }.mapError {
        $0 as? ProcessRunError ?? ProcessRunError(command: ["build-clibs"], reason: "\($0)")
    }

    /// The repository root.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A scratch directory for this test run.
    let workDirectory: URL
    /// Where libguestlib.so.0.0.0, libappmonitor.so.0.0.0 and their other names are.
    let libraryDirectory: URL
    /// `-I` flags for vmGuestLib.h and vmGuestAppMonitorLib.h.
    let includeFlags: [String]

    private let programs = Mutex<[String: URL]>([:])

    private init() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "guestsdkc-tests-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // The libraries alone are 23 MB in a debug build: the directory goes when the test process exits.
        atexit {
            try? FileManager.default.removeItem(
                at: FileManager.default.temporaryDirectory.appendingPathComponent("guestsdkc-tests-\(getpid())"))
        }
        self.workDirectory = work
        self.libraryDirectory = work.appendingPathComponent("clibs", isDirectory: true)
        let include = Self.packageRoot.appendingPathComponent("Sources/GuestSDKC/include")
        self.includeFlags = [
            "-I" + include.appendingPathComponent("vmGuestLib").path,
            "-I" + include.appendingPathComponent("libappmonitor").path,
        ]

        // The test bundle sits in SwiftPM's bin directory, beside the <Target>.build object directories.
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let binDirectory = executable.deletingLastPathComponent()
        let build = try ProcessRunner.run(
            [
                Self.packageRoot.appendingPathComponent("scripts/build-clibs").path, "--skip-build",
                "--configuration", "debug", "--bin-path", binDirectory.path, "--output", self.libraryDirectory.path,
            ],
            timeout: 300)
        guard build.status == 0 else {
            throw ProcessRunError(command: ["scripts/build-clibs"], reason: "\(build)")
        }
    }

    /// The path of one of the libraries, such as `libguestlib.so.0.0.0`.
    func library(_ name: String) -> String {
        self.libraryDirectory.appendingPathComponent(name).path
    }

    /// The environment a child needs to find the libraries and reach `socket`.
    func environment(socket: String?) -> [String: String] {
        var environment = ["LD_LIBRARY_PATH": self.libraryDirectory.path]
        if let socket {
            environment["GUESTSDK_RPC"] = "unix:" + socket
        }
        return environment
    }

    /// Compiles a C program once per test run.
    ///
    /// - Parameters:
    ///   - source: the C file, relative to the repository root.
    ///   - flags: extra gcc flags, such as the libraries to link.
    /// - Returns: the executable.
    /// - Throws: `ProcessRunError` with gcc's output when it does not compile.
    func program(_ source: String, flags: [String] = []) throws -> URL {
        let name = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
        let output = self.workDirectory.appendingPathComponent(name)
        // One compile at a time, so that two tests never write the same executable.
        return try self.programs.withLock { (built) throws(ProcessRunError) -> URL in
            if let program = built[source] {
                return program
            }
            let command =
                ["gcc", "-std=c99", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror"] + self.includeFlags
                + [CLibraries.packageRoot.appendingPathComponent(source).path, "-o", output.path]
                + ["-L" + self.libraryDirectory.path] + flags
            let result: ProcessResult
            do {
                result = try ProcessRunner.run(command)
            } catch let error as ProcessRunError {
                throw error
            } catch {
                throw ProcessRunError(command: command, reason: "\(error)")
            }
            guard result.status == 0 else {
                throw ProcessRunError(command: ["gcc", source], reason: "\(result)")
            }
            built[source] = output
            return output
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// Runs an executable this package builds, from a test.
///
/// `swift build --build-tests` puts every product beside the test bundle
/// (`<scratch>/debug/GuestSDKPackageTests.xctest`), so the executable is looked
/// up in the directory of the running test binary, then in `.build/debug` of the
/// package (found from this file's own path). Test targets share it through `TestSupport`.
public enum BuiltProduct {
    /// The output of one run.
    public struct Run {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// The path of the built executable `name`, or nil when it was not built.
    public static func path(of name: String) -> String? {
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL {
            directories.append(executable.deletingLastPathComponent())
        }
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        directories.append(packageRoot.appendingPathComponent(".build/debug"))
        return directories.map { $0.appendingPathComponent(name).path }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `name` with `arguments` and `environment` (replacing the test's) and waits for it.
    ///
    /// - Throws: when the executable is missing or cannot be started.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        guard let path = self.path(of: name) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var base = ["PATH": "/usr/bin:/bin"]
        base.merge(environment) { $1 }
        process.environment = base
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self)
        )
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// VMware's own guestlib client from Debian's `open-vm-tools` package, made runnable here.
///
/// `scripts/setup` unpacks the package into `.build/peers/open-vm-tools` (it is not installed). This type
/// compiles `Tests/Peers/open-vm-tools/vsock-shim.c` (the `LD_PRELOAD` shim) and `guestlib-client.c` with gcc
/// and runs the client with the shim, its vsock connect redirected to a VM's Unix socket.
struct OpenVMToolsPeer {
    /// Why the peer cannot be used.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// What one run of the client printed.
    struct Run {
        var status: Int32
        var lines: [String]
        var standardError: String
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The unpacked package, or `GUESTSDK_OPEN_VM_TOOLS` when set.
    static let packageRoot: URL = {
        if let path = ProcessInfo.processInfo.environment["GUESTSDK_OPEN_VM_TOOLS"] {
            return URL(fileURLWithPath: path)
        }
        return Self.repositoryRoot.appendingPathComponent(".build/peers/open-vm-tools")
    }()

    /// `usr/lib/<triplet>/libguestlib.so.0` inside the unpacked package, if it is there.
    static var libraryPath: String? {
        let lib = Self.packageRoot.appendingPathComponent("usr/lib")
        let triplets = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for triplet in triplets.sorted() {
            let candidate = lib.appendingPathComponent(triplet).appendingPathComponent("libguestlib.so.0")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
        }
        return nil
    }

    /// True when the package is unpacked, or when running in CI (where a missing package must fail).
    static var shouldRun: Bool {
        Self.libraryPath != nil || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// The peer, built once per test process.
    static let shared = Result { try OpenVMToolsPeer() }

    let library: String
    let shim: String
    let client: String

    private init() throws {
        guard let library = Self.libraryPath else {
            throw Failure(description: "libguestlib.so.0 not found under \(Self.packageRoot.path); run scripts/setup")
        }
        self.library = library
        let output = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "guestsdk-peer-\(getpid())"
        )
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let sources = Self.repositoryRoot.appendingPathComponent("Tests/Peers/open-vm-tools")
        self.shim = output.appendingPathComponent("vsock-shim.so").path
        self.client = output.appendingPathComponent("guestlib-client").path
        try Self.gcc(["-shared", "-fPIC", "-o", self.shim, sources.appendingPathComponent("vsock-shim.c").path, "-ldl"])
        try Self.gcc(["-o", self.client, sources.appendingPathComponent("guestlib-client.c").path, "-ldl"])
    }

    private static func gcc(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gcc", "-O1", "-Wall", "-Wextra", "-Werror"] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "gcc \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }

    /// Runs the client against the Unix socket `socketPath`, killing it after `timeout` seconds.
    ///
    /// - Parameters:
    ///   - steps: `update` or `stat:ENC:NAME`, in order, all on one handle.
    ///   - socketPath: where the shim sends the library's vsock connection.
    /// - Returns: its exit status and output lines.
    func run(_ steps: [String], socketPath: String, timeout: TimeInterval = 30) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.client)
        process.arguments = [self.library] + steps
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = self.shim
        environment["GUESTSDK_SHIM_SOCKET"] = socketPath
        environment["GUESTSDK_SHIM_TRACE"] = "1"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let watchdog = DispatchWorkItem { process.terminate() }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let errorReader = ErrorReader(errors.fileHandleForReading)
        let standardOutput = output.fileHandleForReading.readDataToEndOfFile()
        let standardError = errorReader.wait()
        process.waitUntilExit()
        watchdog.cancel()
        return Run(
            status: process.terminationStatus,
            lines: String(decoding: standardOutput, as: UTF8.self).split(separator: "\n").map(String.init),
            standardError: String(decoding: standardError, as: UTF8.self)
        )
    }
}

/// Reads a pipe to its end on another thread, so a full stderr pipe never blocks the child.
private final class ErrorReader: @unchecked Sendable {
    private let group = DispatchGroup()
    private var data = Data()

    init(_ handle: FileHandle) {
        self.group.enter()
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.group.leave()
        }
    }

    func wait() -> Data {
        self.group.wait()
        return self.data
    }
}

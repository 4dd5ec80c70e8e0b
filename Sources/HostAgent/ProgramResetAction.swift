// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// A reset that runs a configured program with arguments, never through a shell, with a timeout.
///
/// The program is started directly (Foundation `Process`, posix_spawn underneath) with `arguments`
/// followed by the VM's name as the last argument, such as `/usr/bin/virsh reset web-01`. Its
/// standard output and error are collected (up to `maximumOutputBytes`). When it runs longer than
/// `timeout` (real time) it is killed with SIGKILL and the outcome says so.
public struct ProgramResetAction: ResetAction {
    /// The program to run, as an absolute path.
    public var executable: String
    /// The arguments before the VM's name.
    public var arguments: [String]
    /// How long the program may run before it is killed.
    public var timeout: Duration
    /// How much of the program's output is kept in the outcome.
    public var maximumOutputBytes: Int

    /// Creates the action.
    ///
    /// - Parameters:
    ///   - executable: the program's absolute path.
    ///   - arguments: the arguments that come before the VM's name.
    ///   - timeout: the longest run before SIGKILL; 30 s by default.
    ///   - maximumOutputBytes: how much output to keep; 4 KiB by default.
    public init(
        executable: String, arguments: [String] = [], timeout: Duration = .seconds(30),
        maximumOutputBytes: Int = 4096
    ) {
        self.executable = executable
        self.arguments = arguments
        self.timeout = timeout
        self.maximumOutputBytes = maximumOutputBytes
    }

    public func resetVM(
        named vmName: String, completion: @escaping @Sendable (ResetOutcome) -> Void
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.executable)
        process.arguments = self.arguments + [vmName]
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let run = ProgramRun(maximumOutputBytes: self.maximumOutputBytes, completion: completion)
        run.process = process
        process.terminationHandler = { finished in
            run.processEnded(status: finished.terminationStatus, reason: finished.terminationReason)
        }
        do {
            try process.run()
        } catch {
            completion(.programFailedToStart(reason: "\(error)"))
            return
        }
        try? pipe.fileHandleForWriting.close()
        let reader = pipe.fileHandleForReading
        DispatchQueue.global().async {
            run.outputEnded(reader.readDataToEndOfFile())
            try? reader.close()
        }
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + self.timeout.totalSeconds) {
            if run.markTimedOutIfRunning() {
                kill(pid, SIGKILL)
            }
        }
    }
}

/// The shared state of one program run: the outcome is reported once both the process and its
/// output have ended.
private final class ProgramRun: @unchecked Sendable {
    private let lock = NSLock()
    private let maximumOutputBytes: Int
    private let completion: @Sendable (ResetOutcome) -> Void
    private var ended: (status: Int32, reason: Process.TerminationReason)?
    private var output: String?
    private var timedOut = false
    /// Keeps the process object alive until the run is reported.
    var process: Process?

    init(maximumOutputBytes: Int, completion: @escaping @Sendable (ResetOutcome) -> Void) {
        self.maximumOutputBytes = maximumOutputBytes
        self.completion = completion
    }

    func processEnded(status: Int32, reason: Process.TerminationReason) {
        self.lock.withLock { self.ended = (status, reason) }
        self.finishIfComplete()
    }

    func outputEnded(_ data: Data) {
        let text = String(decoding: data.prefix(self.maximumOutputBytes), as: UTF8.self)
        self.lock.withLock { self.output = text }
        self.finishIfComplete()
    }

    /// Marks the run as timed out when the process is still running; returns true when it should be
    /// killed.
    func markTimedOutIfRunning() -> Bool {
        self.lock.withLock {
            guard self.ended == nil else { return false }
            self.timedOut = true
            return true
        }
    }

    private func finishIfComplete() {
        let outcome: ResetOutcome? = self.lock.withLock {
            guard let ended = self.ended, let output = self.output else { return nil }
            self.output = nil
            self.process = nil
            if self.timedOut { return .programTimedOut(output: output) }
            switch ended.reason {
            case .exit: return .programExited(status: ended.status, output: output)
            case .uncaughtSignal: return .programSignalled(signal: ended.status, output: output)
            @unknown default: return .programExited(status: ended.status, output: output)
            }
        }
        if let outcome { self.completion(outcome) }
    }
}

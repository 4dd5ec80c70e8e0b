// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC
import HostAgent

/// `guestsdk-bench ha-scale`: the host agent (RPCServer, AppMonitorService, HAEngine on the real
/// clock) with N simulated guests, each on its own socket, heartbeating once a second.
///
/// The guests run in a child process (`ha-scale-guests`): one process cannot hold 10,000 guest
/// descriptors and 2 × 10,000 agent descriptors (listener and connection per VM) under the
/// machine's 20,000 open files per process, so the agent here holds 2N and the child N. With that
/// limit the largest run is 9,000 guests, standing in for the 10,000. Reported for the
/// agent process: CPU share of one core over the heartbeat window (getrusage), peak RSS, and for
/// the guests that stop how late each red was declared after its deadline; plus any false red.
enum HAScaleBenchmark {
    struct Options {
        var guestCounts = [1000, 9000]
        var seconds = 60.0
        var json = false
        var loopCount = 2
    }

    struct Result: Encodable {
        var guests: Int
        var seconds: Double
        var eventLoops: Int
        var cpuShareOfOneCore: Double
        var peakRSSMegabytes: Double
        var heartbeatsAnswered: Int
        var heartbeatsFailed: Int
        var maximumSendLatenessMs: Double
        var stoppedGuests: Int
        var reds: Int
        var falseReds: Int
        var missingReds: Int
        var redLatenessP50Ms: Double
        var redLatenessP99Ms: Double
        var redLatenessMaxMs: Double
    }

    static func main(_ arguments: [String]) -> Never {
        var options = Options()
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--json":
                options.json = true
            case "--seconds":
                index += 1
                guard index < arguments.count, let seconds = Double(arguments[index]), seconds >= 40
                else {
                    usageError(
                        "--seconds needs a number of at least 40 (the failure interval and some)")
                }
                options.seconds = seconds
            case "--loops":
                index += 1
                guard index < arguments.count, let loops = Int(arguments[index]), loops > 0 else {
                    usageError("--loops needs a positive number")
                }
                options.loopCount = loops
            case "--guests":
                index += 1
                let counts =
                    index < arguments.count
                    ? arguments[index].split(separator: ",").compactMap { Int($0) } : []
                guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 && $0 <= 9500 }) else {
                    usageError("--guests needs a comma-separated list of counts from 1 to 9500")
                }
                options.guestCounts = counts
            default:
                usageError("unexpected argument '\(arguments[index])'")
            }
            index += 1
        }
        _ = raiseOpenFileLimit()
        for count in options.guestCounts {
            do {
                let result = try self.run(
                    guests: count, seconds: options.seconds, loopCount: options.loopCount)
                self.report(result, json: options.json)
            } catch {
                FileHandle.standardError.write(
                    Data("guestsdk-bench: ha-scale with \(count) guests failed: \(error)\n".utf8))
                exit(1)
            }
        }
        exit(0)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(guests count: Int, seconds: Double, loopCount: Int) throws -> Result {
        let stopEvery = 20
        let directory = NSTemporaryDirectory() + "guestsdk-ha-scale-\(getpid())-\(count)"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let sink = InMemoryEventSink()
        let engine = HAEngine(clock: SystemClock(), sink: sink)
        let router = Router()
        router.register(
            prefix: AppMonitorService.commandPrefix, to: AppMonitorService(engine: engine))
        let server = RPCServer(
            configuration: RPCServer.Configuration(
                stateDirectory: directory, loopCount: loopCount),
            logger: .disabled)
        defer { server.stop() }
        let settings = HASettings(
            vmMonitoring: .vmAndAppMonitoring, failureInterval: 30, minUpTime: 120, maxFailures: 3,
            maxFailureWindow: -1)
        for index in 0..<count {
            try engine.addVM(named: "vm-\(index)", settings: settings, uptime: .seconds(3600))
            try server.addVM(VMEndpointConfiguration(name: "vm-\(index)"), router: router)
        }

        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        child.arguments = [
            "ha-scale-guests", directory + "/vms", "\(count)", "\(seconds)", "\(stopEvery)",
        ]
        let input = Pipe()
        let output = Pipe()
        child.standardInput = input
        child.standardOutput = output
        try child.run()
        let lines = LineReader(output.fileHandleForReading)
        guard lines.next() == "ready" else {
            throw Failure(description: "the guest process did not get ready")
        }

        let before = ResourceUsage.now()
        input.fileHandleForWriting.write(Data("go\n".utf8))
        Thread.sleep(forTimeInterval: seconds)
        let after = ResourceUsage.now()
        let summary = lines.next() ?? "{}"
        child.waitUntilExit()

        let tally =
            (try? JSONSerialization.jsonObject(with: Data(summary.utf8))) as? [String: Any] ?? [:]
        let stopping = Set(
            (0..<count).filter {
                HAScaleGuests.stopTime(
                    index: $0, count: count, stopEvery: stopEvery, seconds: seconds) != nil
            }
            .map { "vm-\($0)" })
        var lateness: [Double] = []
        var falseReds = 0
        var redVMs = Set<String>()
        for event in sink.events {
            guard case .heartbeatMissed(let overdue) = event.kind else { continue }
            if stopping.contains(event.vmName) {
                lateness.append(overdue.totalSeconds * 1000)
                redVMs.insert(event.vmName)
            } else {
                falseReds += 1
            }
        }
        lateness.sort()
        return Result(
            guests: count, seconds: seconds, eventLoops: loopCount,
            cpuShareOfOneCore: (after.cpuSeconds - before.cpuSeconds)
                / (after.wallSeconds - before.wallSeconds),
            peakRSSMegabytes: Double(after.maximumResidentKilobytes) / 1024,
            heartbeatsAnswered: tally["sent"] as? Int ?? 0,
            heartbeatsFailed: tally["failed"] as? Int ?? 0,
            maximumSendLatenessMs: tally["maximumSendLatenessMs"] as? Double ?? 0,
            stoppedGuests: stopping.count, reds: lateness.count + falseReds, falseReds: falseReds,
            missingReds: stopping.count - redVMs.count,
            redLatenessP50Ms: self.percentile(lateness, 0.50),
            redLatenessP99Ms: self.percentile(lateness, 0.99), redLatenessMaxMs: lateness.last ?? 0)
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func report(_ result: Result, json: Bool) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: (try? encoder.encode(result)) ?? Data(), as: UTF8.self))
            return
        }
        print(
            String(
                format:
                    "ha-scale %d guests, %.0f s, %d event loops: agent CPU %.1f%% of one core, peak RSS %.1f MB; "
                    + "heartbeats answered %d (failed %d, latest send %.1f ms late); "
                    + "%d of %d stopped guests red, lateness p50 %.2f ms, p99 %.2f ms, max %.2f ms; false reds %d",
                result.guests, result.seconds, result.eventLoops,
                result.cpuShareOfOneCore * 100,
                result.peakRSSMegabytes,
                result.heartbeatsAnswered, result.heartbeatsFailed, result.maximumSendLatenessMs,
                result.stoppedGuests - result.missingReds, result.stoppedGuests,
                result.redLatenessP50Ms,
                result.redLatenessP99Ms, result.redLatenessMaxMs, result.falseReds))
        fflush(stdout)
    }

    static func usageError(_ message: String) -> Never {
        FileHandle.standardError.write(
            Data(
                "guestsdk-bench: \(message)\nusage: guestsdk-bench ha-scale [--guests N,N] [--seconds S] [--loops N] [--json]\n"
                    .utf8))
        exit(64)
    }
}

/// This process's CPU time, wall time and peak resident size.
struct ResourceUsage {
    var cpuSeconds: Double
    var wallSeconds: Double
    var maximumResidentKilobytes: Int

    static func now() -> ResourceUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu =
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return ResourceUsage(
            cpuSeconds: cpu, wallSeconds: Double(DispatchTime.now().uptimeNanoseconds) / 1e9,
            maximumResidentKilobytes: usage.ru_maxrss)
    }
}

/// Reads lines from a pipe, blocking.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    func next() -> String? {
        while true {
            if let newline = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(
                    decoding: self.buffer[self.buffer.startIndex..<newline], as: UTF8.self)
                self.buffer.removeSubrange(self.buffer.startIndex...newline)
                return line
            }
            let chunk = self.handle.availableData
            guard !chunk.isEmpty else { return nil }
            self.buffer.append(chunk)
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import Foundation
import GuestRPC
import HostAgent

/// `guestsdk-bench mark-active`: `MarkActive` round trips per second on the kept channel, against a
/// C ping-pong of the same bytes over the same kind of socket.
///
/// Ours: the AppMonitor client (kept channel after `enable`) in one thread, the host agent's
/// RPCServer, AppMonitorService and HAEngine (real clock) in the same process, over a Unix stream
/// socket. Baseline: a C program the benchmark compiles with gcc, two processes on an AF_UNIX
/// stream socket pair; the client writes the framed `MarkActive` packet, the server reads the
/// length word and the body and writes the framed `1 0` reply, which the client reads the same way.
/// Trials alternate, so both sides of a trial meet the same machine; the figures reported are those
/// of the trial whose ratio is the median (`medianTrialIndex`).
enum MarkActiveBenchmark {
    static let trials = 7

    static func main(_ arguments: [String]) -> Never {
        var seconds = 1.0
        var json = false
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--json":
                json = true
            case "--seconds":
                index += 1
                guard index < arguments.count, let value = Double(arguments[index]), value > 0
                else {
                    usageError("--seconds needs a positive number")
                }
                seconds = value
            default:
                usageError("unexpected argument '\(arguments[index])'")
            }
            index += 1
        }
        do {
            try self.run(seconds: seconds, json: json)
        } catch {
            FileHandle.standardError.write(
                Data("guestsdk-bench: mark-active failed: \(error)\n".utf8))
            exit(1)
        }
        exit(0)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(seconds: Double, json: Bool) throws {
        let request = RPCPacket(payload: Array("GuestAppMonitor.Cmd.MarkActive".utf8)).encoded()
        let reply = RPCPacket(payload: Array("1 0".utf8)).encoded()
        let directory = NSTemporaryDirectory() + "guestsdk-mark-active-\(getpid())"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let baseline = try self.compileBaseline(in: directory)

        let engine = HAEngine(clock: SystemClock(), sink: InMemoryEventSink())
        try engine.addVM(named: "vm", settings: .preset(.high), uptime: .seconds(3600))
        let router = Router()
        router.register(
            prefix: AppMonitorService.commandPrefix, to: AppMonitorService(engine: engine))
        let server = RPCServer(
            configuration: RPCServer.Configuration(stateDirectory: directory), logger: .disabled)
        defer { server.stop() }
        try server.addVM(VMEndpointConfiguration(name: "vm"), router: router)
        let monitor = AppMonitor(endpoint: .unix(path: server.socketPath(forVM: "vm")))
        try monitor.enable()

        let floorPath = directory + "/floor.sock"
        let floor = try DispatchFloorServer(path: floorPath, reply: reply, closesAfterReply: false)
        defer { floor.stop() }
        let floorClient = try BlockingSocket(path: floorPath)

        var ours: [Double] = []
        var theirs: [Double] = []
        var floors: [Double] = []
        for _ in 0..<self.trials {
            ours.append(try self.measureOurs(monitor, seconds: seconds))
            theirs.append(
                try self.measureBaseline(baseline, request: request, reply: reply, seconds: seconds)
            )
            floors.append(try self.measureFloor(floorClient, request: request, seconds: seconds))
        }
        try monitor.disable()
        let median = medianTrialIndex(zip(ours, theirs).map { $0 / $1 })
        let (oursMedian, theirsMedian) = (ours[median], theirs[median])
        let ratio = oursMedian / theirsMedian
        let floorTrial = medianTrialIndex(zip(floors, theirs).map { $0 / $1 })
        let (floorMedian, floorRatio) = (floors[floorTrial], floors[floorTrial] / theirs[floorTrial])
        if json {
            print(
                "{\"benchmark\": \"mark-active\", \"oursRoundTripsPerSecond\": \(Int(oursMedian)), "
                    + "\"baselineRoundTripsPerSecond\": \(Int(theirsMedian)), \"ratio\": \(String(format: "%.3f", ratio)), "
                    + "\"goal\": \">= 0.8\", \"goalMet\": \(ratio >= 0.8)}")
        } else {
            print(
                String(
                    format:
                        "mark-active: ours %.0f round trips/s, C ping-pong %.0f round trips/s, ratio %.3f "
                        + "(goal >= 0.8: %@); trials ours %@, C %@",
                    oursMedian, theirsMedian, ratio, ratio >= 0.8 ? "met" : "NOT met",
                    ours.map { String(format: "%.0f", $0) }.joined(separator: "/"),
                    theirs.map { String(format: "%.0f", $0) }.joined(separator: "/")))
            print(
                String(
                    format: "  bare Dispatch server (DispatchFloorServer, blocking Swift client): %.0f round trips/s, "
                        + "%.3f of the C ping-pong",
                    floorMedian, floorRatio))
        }
    }

    static func measureOurs(_ monitor: AppMonitor, seconds: Double) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        var count = 0
        var elapsed = 0.0
        repeat {
            for _ in 0..<100 {
                try monitor.markActive()
            }
            count += 100
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return Double(count) / elapsed
    }

    /// Round trips per second of a blocking client against the bare Dispatch server on a kept connection.
    static func measureFloor(_ client: BlockingSocket, request: [UInt8], seconds: Double) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        var count = 0
        var elapsed = 0.0
        repeat {
            for _ in 0..<100 {
                try client.write(request)
                guard try client.readReply() != nil else {
                    throw Failure(description: "the bare Dispatch server closed the connection")
                }
            }
            count += 100
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < seconds
        return Double(count) / elapsed
    }

    static func measureBaseline(
        _ program: String, request: [UInt8], reply: [UInt8], seconds: Double
    ) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = [self.hex(request), self.hex(reply), "\(seconds)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(
            decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let fields = text.split(separator: " ").compactMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard process.terminationStatus == 0, fields.count == 2, fields[1] > 0 else {
            throw Failure(description: "the C ping-pong failed: \(text)")
        }
        return fields[0] / fields[1]
    }

    static func compileBaseline(in directory: String) throws -> String {
        let source = directory + "/pingpong.c"
        let program = directory + "/pingpong"
        try self.baselineSource.write(toFile: source, atomically: true, encoding: .utf8)
        let gcc = Process()
        gcc.executableURL = URL(fileURLWithPath: "/usr/bin/gcc")
        gcc.arguments = ["-O2", "-o", program, source]
        try gcc.run()
        gcc.waitUntilExit()
        guard gcc.terminationStatus == 0 else {
            throw Failure(description: "gcc failed on \(source)")
        }
        return program
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func usageError(_ message: String) -> Never {
        FileHandle.standardError.write(
            Data(
                "guestsdk-bench: \(message)\nusage: guestsdk-bench mark-active [--seconds S] [--json]\n"
                    .utf8))
        exit(64)
    }

    /// The C ping-pong: `pingpong REQUEST-HEX REPLY-HEX SECONDS` prints `round-trips
    /// elapsed-seconds`.
    static let baselineSource = #"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <errno.h>
        #include <time.h>
        #include <unistd.h>
        #include <sys/socket.h>
        #include <sys/wait.h>

        static size_t unhex(const char *text, unsigned char *out) {
            size_t n = strlen(text) / 2;
            for (size_t i = 0; i < n; i++) sscanf(text + 2 * i, "%2hhx", &out[i]);
            return n;
        }

        static int readn(int fd, unsigned char *buffer, size_t count) {
            size_t done = 0;
            while (done < count) {
                ssize_t got = read(fd, buffer + done, count - done);
                if (got < 0 && errno == EINTR) continue;
                if (got <= 0) return -1;
                done += (size_t)got;
            }
            return 0;
        }

        static int writen(int fd, const unsigned char *buffer, size_t count) {
            size_t done = 0;
            while (done < count) {
                ssize_t put = write(fd, buffer + done, count - done);
                if (put < 0 && errno == EINTR) continue;
                if (put <= 0) return -1;
                done += (size_t)put;
            }
            return 0;
        }

        static int readpacket(int fd, unsigned char *buffer) {
            if (readn(fd, buffer, 4)) return -1;
            size_t length = ((size_t)buffer[0] << 24) | ((size_t)buffer[1] << 16) | ((size_t)buffer[2] << 8) | buffer[3];
            if (length > 65536) return -1;
            return readn(fd, buffer + 4, length);
        }

        static double now(void) {
            struct timespec t;
            clock_gettime(CLOCK_MONOTONIC, &t);
            return t.tv_sec + t.tv_nsec / 1e9;
        }

        int main(int argc, char **argv) {
            if (argc != 4) return 64;
            static unsigned char request[4096], reply[4096], buffer[65536 + 4];
            size_t requestLength = unhex(argv[1], request), replyLength = unhex(argv[2], reply);
            double seconds = atof(argv[3]);
            int pair[2];
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair)) return 1;
            pid_t child = fork();
            if (child == 0) {
                close(pair[0]);
                while (readpacket(pair[1], buffer) == 0) {
                    if (writen(pair[1], reply, replyLength)) break;
                }
                _exit(0);
            }
            close(pair[1]);
            long count = 0;
            double start = now(), elapsed = 0;
            do {
                for (int i = 0; i < 100; i++) {
                    if (writen(pair[0], request, requestLength) || readpacket(pair[0], buffer)) return 1;
                }
                count += 100;
                elapsed = now() - start;
            } while (elapsed < seconds);
            close(pair[0]);
            waitpid(child, NULL, 0);
            printf("%ld %.6f\n", count, elapsed);
            return 0;
        }
        """#
}

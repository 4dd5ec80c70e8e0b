// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import GuestRPC
import HostAgent
import UnixPingPong

/// `GuestLibHandle.update()` round trips over a Unix socket to the host agent, against a C ping-pong of the
/// same request and reply bytes over the same kind of socket.
///
/// Ours: a handle on `unix:<dir>/vms/bench.sock`, each update a one-shot connection (connect, one framed
/// `guestlib.info.get 3`, the full 38-statistic V3 reply, close) to an in-process `RPCServer` routing to
/// `GuestLibService`, then the reply decoded into the handle. Baseline: a C client and a C server thread
/// exchanging exactly the bytes ours exchanged (captured from our server first), one connection per round trip.
/// Beside them: each client against the other side's server, the C client against `DispatchFloorServer` (the
/// least a server on Dispatch read sources can do), and the service alone, to show where the time goes.
enum UpdateRoundTripBenchmark {
    static let trials = 9

    static func run(_ options: BenchmarkOptions) {
        var template = Array("/tmp/guestsdk-bench-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fatalError("update-roundtrip: mkdtemp failed") }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let service = GuestLibService()
        service.addVM(named: "bench")
        let router = Router()
        service.register(on: router)
        let server = RPCServer(configuration: RPCServer.Configuration(stateDirectory: directory), logger: .disabled)
        do {
            try server.addVM(VMEndpointConfiguration(name: "bench"), router: router)
        } catch {
            fatalError("update-roundtrip: cannot serve the VM: \(error)")
        }
        defer { server.stop() }
        let socketPath = server.socketPath(forVM: "bench")
        let endpoint = Endpoint.unix(path: socketPath)
        let handle: GuestLibHandle
        do {
            handle = try GuestLibHandle(
                endpoint: endpoint, isVMwareGuest: { false },
                makeChannel: { try RPCChannelFactory.makeChannel(for: $0, oneShot: true, logger: .disabled) }
            )
            try handle.update()
        } catch {
            fatalError("update-roundtrip: the first update failed: \(error)")
        }
        guard handle.snapshot?.entries.count == 38 else { fatalError("update-roundtrip: not a 38-statistic reply") }

        // The exact bytes of one exchange: the request our channel sends, the reply our server sends.
        let request = RPCPacket(payload: GuestLibWire.request(version: 3), fastClose: true).encoded()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let length = pingpong_round_trip(socketPath, request, request.count, &buffer, buffer.count)
        guard length > 0 else { fatalError("update-roundtrip: capturing the reply failed: \(length)") }
        let reply = Array(buffer[0..<Int(length)])
        let baselinePath = directory + "/pingpong.sock"
        var pingpong: OpaquePointer?
        guard pingpong_server_start(baselinePath, reply, reply.count, &pingpong) == 0, let pingpong else {
            fatalError("update-roundtrip: the C ping-pong server did not start")
        }
        defer { pingpong_server_stop(pingpong) }
        let floorPath = directory + "/floor.sock"
        let floor: DispatchFloorServer
        do {
            floor = try DispatchFloorServer(path: floorPath, reply: reply, closesAfterReply: true)
        } catch {
            fatalError("update-roundtrip: \(error)")
        }
        defer { floor.stop() }

        // The halves, to show where the time goes: each client against the other side's server, and the
        // service alone.
        let halfHandle: GuestLibHandle
        do {
            halfHandle = try GuestLibHandle(
                endpoint: .unix(path: baselinePath), isVMwareGuest: { false },
                makeChannel: { try RPCChannelFactory.makeChannel(for: $0, oneShot: true, logger: .disabled) }
            )
        } catch {
            fatalError("update-roundtrip: \(error)")
        }
        let serviceRequest = RPCRequest(vmName: "bench", bytes: GuestLibWire.request(version: 3))

        var wallTimes: [String: [Double]] = [:]
        var cpuTimes: [String: [Double]] = [:]
        var sink: UInt64 = 0
        func time(_ name: String, _ operation: () -> UInt64) {
            let run = measureRoundTrips(seconds: options.seconds, operation)
            wallTimes[name, default: []].append(run.wallNanoseconds)
            cpuTimes[name, default: []].append(run.processCPUNanoseconds)
            sink &+= run.sink
        }
        for _ in 0..<Self.trials {
            time("ours") {
                do {
                    try handle.update()
                } catch {
                    fatalError("update-roundtrip: update failed: \(error)")
                }
                return handle.snapshot?.sessionID ?? 0
            }
            time("baseline") {
                let count = pingpong_round_trip(baselinePath, request, request.count, &buffer, buffer.count)
                precondition(count == length, "update-roundtrip: the C round trip failed: \(count)")
                return UInt64(count)
            }
            time("C client, our server") {
                UInt64(
                    bitPattern: Int64(pingpong_round_trip(socketPath, request, request.count, &buffer, buffer.count)))
            }
            time("our client, C server") {
                _ = try? halfHandle.update()
                return halfHandle.snapshot?.sessionID ?? 0
            }
            time("C client, bare Dispatch server") {
                UInt64(
                    bitPattern: Int64(pingpong_round_trip(floorPath, request, request.count, &buffer, buffer.count)))
            }
            time("service alone") { UInt64(service.handle(serviceRequest).payload.count) }
        }
        let median = wallTimes.mapValues { $0.sorted()[Self.trials / 2] }
        let cpuMedian = cpuTimes.mapValues { $0.sorted()[Self.trials / 2] }
        // The headline pair comes from one trial, the one whose ratio is the median (`medianTrialIndex`).
        let trial = medianTrialIndex(zip(wallTimes["baseline"]!, wallTimes["ours"]!).map { $0 / $1 })
        let oursMedian = wallTimes["ours"]![trial]
        let baselineMedian = wallTimes["baseline"]![trial]
        let result = BenchmarkResult(
            benchmark: "update-roundtrip", oursNanoseconds: oursMedian, baselineNanoseconds: baselineMedian,
            baseline: "C ping-pong", goal: "round trips/s >= 0.80 of the baseline (time ratio <= 1.25)",
            goalMet: baselineMedian / oursMedian >= 0.8)
        result.report(options)
        if !options.json {
            print(
                String(
                    format: "update-roundtrip: ours %.0f round trips/s, C ping-pong %.0f round trips/s, ratio %.3f",
                    1e9 / oursMedian, 1e9 / baselineMedian, baselineMedian / oursMedian))
            print("  per round trip, medians of the trials, wall time / CPU time of the whole process (both sides):")
            for name in [
                "ours", "baseline", "C client, our server", "our client, C server", "C client, bare Dispatch server",
                "service alone",
            ] {
                print(String(format: "  %@: %.1f us / %.1f us", name, median[name]! / 1000, cpuMedian[name]! / 1000))
            }
        }
        if sink == 42 { print("") }  // Keeps the sink alive.
    }
}

/// Times `operation` for about `seconds` of wall time; returns wall and process CPU nanoseconds per call.
///
/// A round trip's time is spent in two threads and the kernel, so the wall clock is the figure that counts;
/// the CPU time of the whole process (client and server both live in it) shows the work apart from waiting.
///
/// - Parameters:
///   - seconds: the wall time to spend.
///   - operation: one round trip; its result is folded into a sink so it is not optimised away.
/// - Returns: wall and CPU nanoseconds per call, and the sink.
func measureRoundTrips(
    seconds: Double, _ operation: () -> UInt64
) -> (wallNanoseconds: Double, processCPUNanoseconds: Double, sink: UInt64) {
    var sink: UInt64 = 0
    var iterations = 16
    while true {
        let wallStart = DispatchTime.now().uptimeNanoseconds
        let cpuStart = processCPUNanoseconds()
        for _ in 0..<iterations {
            sink &+= operation()
        }
        let cpu = Double(processCPUNanoseconds() - cpuStart)
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart)
        if wall >= seconds * 1e9 || iterations >= 1 << 24 {
            return (wall / Double(iterations), cpu / Double(iterations), sink)
        }
        iterations = wall < 1e6 ? iterations * 16 : Int(Double(iterations) * seconds * 1e9 / wall) + 1
    }
}

/// The CPU time of the whole process in nanoseconds (`CLOCK_PROCESS_CPUTIME_ID`).
func processCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// guestsdk-bench: speed goals measured against a baseline in the same run.
// Build it in release mode: swift build -c release --product guestsdk-bench.

import Foundation

let usage = "usage: guestsdk-bench <benchmark> [--json] [--seconds S]"
let help = """
    \(usage)

    Runs one benchmark and prints our figure, the baseline's figure measured in the
    same run, and their ratio. Build in release mode for meaningful numbers.

    benchmarks:
      decode-v3    decode a full 38-statistic V3 guestlib.info.get reply:
                   GuestLib's decoder into the last decode's entries against a C decoder on
                   libtirpc into its caller's array (goal: ratio <= 0.50); also a new snapshot each time
      ha-scale     the host agent with 1,000 then 9,000 simulated guests heartbeating once a
                   second on their own sockets for 60 s: agent CPU, peak RSS, red lateness
                   (goal at 10,000: < 25% of one core, < 200 MB, p99 < 50 ms, no false red);
                   options --guests N,N, --seconds S (at least 40), --loops N
      mark-active  MarkActive round trips per second on the kept channel (AppMonitor client,
                   RPCServer, HA engine) against a C ping-pong of the same bytes over a Unix
                   stream socket (goal: ratio >= 0.8); --seconds S per trial (default 2)
      update-roundtrip
                   GuestLibHandle.update() round trips over a Unix socket to the host agent,
                   against a C ping-pong of the same bytes over the same socket type
                   (goal: at least 0.80 of the C round trips per second)

    options:
      --json       one JSON object on stdout instead of text
      --seconds S  CPU time per side and trial (default 0.1; 11 alternating trials, medians)
      --help       this text

    """

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(help, terminator: "")
    exit(0)
}
switch arguments.first {
case "ha-scale":
    HAScaleBenchmark.main(Array(arguments.dropFirst()))
case "ha-scale-guests":
    HAScaleGuests.main(Array(arguments.dropFirst()))
case "mark-active":
    MarkActiveBenchmark.main(Array(arguments.dropFirst()))
default:
    break
}

func usageError(_ message: String) -> Never {
    FileHandle.standardError.write(Data("guestsdk-bench: \(message)\n\(usage)\n".utf8))
    exit(64)
}

var options = BenchmarkOptions()
var benchmarkName: String?
var index = 0
while index < arguments.count {
    let argument = arguments[index]
    switch argument {
    case "--json":
        options.json = true
    case "--seconds":
        index += 1
        guard index < arguments.count, let seconds = Double(arguments[index]), seconds > 0 else {
            usageError("--seconds needs a positive number")
        }
        options.seconds = seconds
    case let name where !name.hasPrefix("-") && benchmarkName == nil:
        benchmarkName = name
    default:
        usageError("unexpected argument '\(argument)'")
    }
    index += 1
}

switch benchmarkName {
case "decode-v3":
    DecodeV3Benchmark.run(options)
case "update-roundtrip":
    UpdateRoundTripBenchmark.run(options)
case nil:
    usageError("no benchmark named")
case let name?:
    usageError("unknown benchmark '\(name)'")
}

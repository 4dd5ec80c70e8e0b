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
                   GuestLib's decoder against a C decoder on libtirpc (goal: ratio <= 0.50)

    options:
      --json       one JSON object on stdout instead of text
      --seconds S  time per side and trial (default 0.3)
      --help       this text

    """

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(help, terminator: "")
    exit(0)
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
case nil:
    usageError("no benchmark named")
case let name?:
    usageError("unknown benchmark '\(name)'")
}

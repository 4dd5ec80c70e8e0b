// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// guestsdk: one front door to the SDK. `guestsdk demo` runs HA application monitoring end
// to end on an embedded host agent.

import Foundation

let usage = "usage: guestsdk demo [--speed N] [--json]"
let help = """
    OVERVIEW: GuestSDK's front door.

    \(usage)

    SUBCOMMANDS:
      demo        HA application monitoring end to end, in this process: an embedded host agent
                  with one VM on a fast clock, a heartbeating application, the VM's statistics,
                  a reset after the heartbeats stop, a reset held back by the minimum uptime, a
                  need-reset and its cancellation, and the event timeline. Takes about 20 s.

    OPTIONS:
      --speed N   clock seconds per real second (default 10)
      --json      print only the event timeline, as JSON
      --help      this text

    """

func usageError(_ message: String) -> Never {
    FileHandle.standardError.write(Data("guestsdk: \(message)\n\(usage)\n".utf8))
    exit(64)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(help, terminator: "")
    exit(0)
}
guard let subcommand = arguments.first else { usageError("no subcommand given") }
guard subcommand == "demo" else { usageError("unknown subcommand '\(subcommand)'") }

var options = Demo.Options()
var index = 1
while index < arguments.count {
    switch arguments[index] {
    case "--json":
        options.json = true
    case "--speed":
        index += 1
        guard index < arguments.count, let speed = Double(arguments[index]), speed > 0,
            speed <= 1000
        else {
            usageError("--speed needs a number above 0 and at most 1000")
        }
        options.speed = speed
    default:
        usageError("unexpected argument '\(arguments[index])'")
    }
    index += 1
}

do {
    let events = try Demo(options: options).run()
    if options.json {
        print(try DemoOutput.json(events))
    } else {
        print(
            "\nDemo finished: green, red and a reset, a held-back reset, and a cancelled need-reset."
        )
    }
} catch {
    FileHandle.standardError.write(Data("guestsdk: demo failed: \(error)\n".utf8))
    exit(1)
}

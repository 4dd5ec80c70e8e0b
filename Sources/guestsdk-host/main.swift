// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// guestsdk-host: the host agent. Serves simulated VMs on Unix sockets (and KVM guests over
// vsock), applies the HA application-monitoring policy, keeps its state in SQLite and offers a
// control API on loopback. `guestsdk-host ctl ...` drives a running agent.

import Foundation
import GuestRPC
import HostAgent

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "ctl" {
    exit(ControlCommand.run(Array(arguments.dropFirst())))
}

let usageLine =
    "Usage: guestsdk-host [--config FILE] [--state-dir DIR] [--control-port PORT] [--vms N]"
    + " [--clock-scale FACTOR] [--log-level LEVEL]\n       guestsdk-host ctl [--state-dir DIR] [--json] COMMAND ..."

let helpText = """
    \(usageLine)

    The GuestSDK host agent: answers guestlib and HA application monitoring requests for
    simulated VMs (one Unix socket each, <state-dir>/vms/<name>.sock) and KVM guests over vsock,
    resets VMs whose application stops heartbeating, and keeps VM definitions, monitoring state
    and events in <state-dir>/state.sqlite so that a restart loses nothing.

    Options:
      --config FILE         JSON config: state directory, control listener, VMs (see docs/control-api.md)
      --state-dir DIR       state directory (default \(HostConfiguration.defaultStateDirectory))
      --control-port PORT   control API port on 127.0.0.1 (default: a free port, written to
                            <state-dir>/control.port)
      --vms N               without --config: serve N simulated VMs, vm1 to vmN (default 3)
      --clock-scale FACTOR  run the HA clock FACTOR times faster than real time (tests, demos)
      --log-level LEVEL     trace, debug, info (default), notice, warning, error
      -h, --help            print this help and exit
      --version             print the version and exit

    Signals: SIGTERM and SIGINT stop gracefully, SIGHUP reloads the config file.
    Logs go to stderr, one line per state change with key=value fields.
    Run `guestsdk-host ctl --help` for the control commands.

    Exit status: 0 after a graceful stop, 1 when the agent cannot start, 64 usage error.

    """

func usageError(_ message: String) -> Never {
    FileHandle.standardError.write(Data("guestsdk-host: \(message)\n\(usageLine)\n".utf8))
    exit(64)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("guestsdk-host: \(message)\n".utf8))
    exit(1)
}

var configPath: String?
var stateDirectory: String?
var controlPort: UInt16?
var vmCount = 3
var clockScale = 1.0
var logLevel = Logger.Level.info
var index = 0
func value(of option: String) -> String {
    index += 1
    guard index < arguments.count else { usageError("\(option) needs a value") }
    return arguments[index]
}
while index < arguments.count {
    let argument = arguments[index]
    switch argument {
    case "-h", "--help":
        print(helpText, terminator: "")
        exit(0)
    case "--version":
        print("guestsdk-host \(HostDaemon.version)")
        exit(0)
    case "--config": configPath = value(of: argument)
    case "--state-dir": stateDirectory = value(of: argument)
    case "--control-port":
        guard let port = UInt16(value(of: argument)) else { usageError("--control-port needs a port number") }
        controlPort = port
    case "--vms":
        guard let count = Int(value(of: argument)), (0...100_000).contains(count) else {
            usageError("--vms needs a count from 0 to 100000")
        }
        vmCount = count
    case "--clock-scale":
        guard let scale = Double(value(of: argument)), scale > 0, scale <= 1000 else {
            usageError("--clock-scale needs a factor above 0, at most 1000")
        }
        clockScale = scale
    case "--log-level":
        guard let level = Logger.Level(name: value(of: argument)) else { usageError("unknown log level") }
        logLevel = level
    default:
        usageError("unknown argument \(argument)")
    }
    index += 1
}

let defaultDirectory = stateDirectory ?? HostConfiguration.defaultStateDirectory
var configuration: HostConfiguration
do {
    if let configPath {
        configuration = try HostConfiguration.load(contentsOf: configPath, defaultStateDirectory: defaultDirectory)
    } else {
        configuration = HostConfiguration(stateDirectory: defaultDirectory)
        configuration.vms = (0..<vmCount).map { VMDefinition(name: "vm\($0 + 1)") }
    }
} catch {
    fail("\(error)")
}
if let stateDirectory { configuration.stateDirectory = stateDirectory }
if let controlPort { configuration.control.port = controlPort }

let logger = Logger.standardError(label: "guestsdk-host", minimumLevel: logLevel)
let clock: any HostAgent.Clock = clockScale == 1 ? SystemClock() : ScaledClock(speed: clockScale)
let daemon: HostDaemon
let observability = AgentObservability(clock: clock)
do {
    daemon = try HostDaemon(
        configuration: configuration,
        options: HostDaemon.Options(
            clock: clock, logger: logger, requestObserver: observability.requestObserver,
            configurationFile: configPath, stateDirectoryOverride: stateDirectory, controlPortOverride: controlPort))
    observability.attach(to: daemon)
} catch {
    fail("cannot start: \(error)")
}
do {
    try daemon.start()
} catch {
    daemon.stop()
    fail("cannot start: \(error)")
}
_ = daemon.runUntilTerminated()
exit(0)

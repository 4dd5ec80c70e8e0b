// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// vmware-appmonitor: the Guest SDK's command-line front end to HA application
// monitoring. One command per run, sent through `AppMonitor.shared` to the
// endpoint `GUESTSDK_RPC` names.

import AppMonitor
import Glibc
import GuestRPC

let toolName = "vmware-appmonitor"

let usageLine =
    "Usage: vmware-appmonitor [--json] {enable | disable | markActive | isEnabled | getAppStatus"
    + " | postAppState appStateOk|appStateNeedReset}"

let helpText = """
    \(usageLine)

    vSphere HA application monitoring from inside the guest.

    Commands:
      enable                          turn application monitoring on for this VM
      disable                         turn application monitoring off
      markActive                      send one heartbeat; needed at least every 30 s after enable
      isEnabled                       print true or false
      getAppStatus                    print the application status: green, red or gray
      postAppState appStateOk         report that the application is fine; cancels a pending reset
      postAppState appStateNeedReset  ask vSphere HA to reset this VM now

    Options:
      --json      print the result as one JSON object on stdout
      -h, --help  print this help and exit

    Environment:
      GUESTSDK_RPC  the host endpoint: auto (default), vsock[:CID[:PORT]], backdoor or unix:PATH

    Output: isEnabled prints true or false, getAppStatus the status; the other
    commands print nothing on success. Errors go to stderr and name the endpoint.

    Exit status: 0 success, 1 the command failed, 64 usage error.

    """

/// Writes all of `text` to `descriptor` (STDOUT_FILENO or STDERR_FILENO), retrying short writes.
func write(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

func usageError(_ message: String) -> Never {
    write("\(toolName): \(message)\n\(usageLine)\n", to: STDERR_FILENO)
    exit(64)
}

/// Prints one JSON object on a line, as JSONSerialization with sorted keys and unescaped slashes would.
func printJSON(_ object: [String: JSONText.Value]) {
    write(JSONText.object(object) + "\n", to: STDOUT_FILENO)
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    write(helpText, to: STDOUT_FILENO)
    exit(0)
}
let json = arguments.contains("--json")
arguments.removeAll { $0 == "--json" }
if let option = arguments.first(where: { $0.hasPrefix("-") }) {
    usageError("unknown option '\(option)'")
}
guard let commandName = arguments.first else {
    usageError("missing command")
}
let operands = Array(arguments.dropFirst())

let states = [
    "appStateOk": AppMonitor.AppState.ok, "appStateNeedReset": AppMonitor.AppState.needReset,
]
let command: AppMonitorCommand
var state: AppMonitor.AppState?
switch commandName {
case "enable": command = .enable
case "disable": command = .disable
case "markActive": command = .markActive
case "isEnabled": command = .isEnabled
case "getAppStatus": command = .getAppStatus
case "postAppState":
    command = .postAppState
    guard let name = operands.first else {
        usageError("postAppState needs appStateOk or appStateNeedReset")
    }
    guard let known = states[name] else {
        usageError("unknown app state '\(name)': expected appStateOk or appStateNeedReset")
    }
    state = known
default:
    usageError("unknown command '\(commandName)'")
}
if operands.count > (state == nil ? 0 : 1) {
    usageError("unexpected argument '\(operands[state == nil ? 0 : 1])'")
}

let monitor = AppMonitor.shared
do {
    switch command {
    case .isEnabled:
        let enabled = try monitor.isEnabled()
        if json {
            printJSON(["command": .string(commandName), "enabled": .bool(enabled)])
        } else {
            write("\(enabled)\n", to: STDOUT_FILENO)
        }
    case .getAppStatus:
        let status = try monitor.appStatus()
        if json {
            printJSON([
                "command": .string(commandName), "status": .string(status.description), "text": .string(status.text),
            ])
        } else {
            write("\(status)\n", to: STDOUT_FILENO)
        }
    default:
        switch command {
        case .enable: try monitor.enable()
        case .disable: try monitor.disable()
        case .markActive: try monitor.markActive()
        default: try monitor.postAppState(state!)
        }
        if json {
            var result: [String: JSONText.Value] = ["command": .string(commandName), "ok": .bool(true)]
            result["state"] = state.map { .string($0.rawValue) }
            printJSON(result)
        }
    }
} catch {
    write("\(toolName): \(commandName) failed: \(error)\n", to: STDERR_FILENO)
    exit(1)
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// appmonitor-sample: the Guest SDK's sample application. It enables HA
// application monitoring, heartbeats on an interval and, on Ctrl+C, asks
// whether to stop (the VM is reset), disable (no reset) or continue.

import AppMonitor
import Foundation
import GuestRPC

let usageLine = "Usage: appmonitor-sample [--interval SECONDS]"

let helpText = """
    \(usageLine)

    Enables vSphere HA application monitoring and sends a heartbeat every 15
    seconds (or every SECONDS), printing one line per heartbeat. Ctrl+C (SIGINT)
    prints this prompt on stdout and reads one line from standard input:

      Ctrl+C: what now?
        s  stop heartbeating and exit (the VM will be reset)
        d  disable monitoring and exit (no reset)
        c  continue heartbeating
      Choice [s/d/c]:\u{20}

    The answer may come from a terminal or be piped in. Heartbeats go on while
    the question waits. Upper case is accepted; any other answer prints
    "Please answer s, d or c." and asks again. End of input counts as d, so a
    program without a terminal never leaves a VM to be reset by accident.
    SIGTERM ends the program at once without disabling, like s.

    Output on stdout:
      Monitoring enabled on ENDPOINT; a heartbeat every N s. Press Ctrl+C for choices.
      heartbeat N sent
    and after the answer:
      s    Stopped heartbeating without disabling: vSphere HA will reset this VM.
      d    Monitoring disabled: no reset.
      EOF  End of input: disabling as for d.
           Monitoring disabled: no reset.
      c    Continuing to heartbeat.
    On stderr: "heartbeat N failed: REASON" (heartbeating goes on), and a
    failed enable or disable.

    Options:
      --interval SECONDS  seconds between heartbeats, a number above 0 (default 15;
                          vSphere expects one at least every 30 s)
      -h, --help          print this help and exit

    Environment:
      GUESTSDK_RPC  the host endpoint: auto (default), vsock[:CID[:PORT]], backdoor or unix:PATH

    Exit status: 0 after s or d, 1 when enable or disable fails, 64 usage error.

    """

let prompt = """
    Ctrl+C: what now?
      s  stop heartbeating and exit (the VM will be reset)
      d  disable monitoring and exit (no reset)
      c  continue heartbeating
    Choice [s/d/c]:\u{20}
    """

func write(_ text: String, to handle: FileHandle = .standardOutput) {
    handle.write(Data(text.utf8))
}

func usageError(_ message: String) -> Never {
    write("appmonitor-sample: \(message)\n\(usageLine)\n", to: .standardError)
    exit(64)
}

func parseInterval(_ arguments: [String]) -> TimeInterval {
    var interval: TimeInterval = 15
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        switch argument {
        case "--interval":
            guard index + 1 < arguments.count else {
                usageError("--interval needs a number of seconds")
            }
            guard let value = TimeInterval(arguments[index + 1]), value > 0, value.isFinite else {
                usageError(
                    "--interval needs a number of seconds above 0, not '\(arguments[index + 1])'")
            }
            interval = value
            index += 2
        default:
            usageError(
                argument.hasPrefix("-")
                    ? "unknown option '\(argument)'" : "unexpected argument '\(argument)'")
        }
    }
    return interval
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    write(helpText)
    exit(0)
}
let interval = parseInterval(arguments)
let monitor = AppMonitor.shared

// Catch SIGINT before anything is enabled, and wait until the source is registered so none is lost.
signal(SIGINT, SIG_IGN)
let signalQueue = DispatchQueue(label: "appmonitor-sample.signal")
let promptQueue = DispatchQueue(label: "appmonitor-sample.prompt")
let registered = DispatchSemaphore(value: 0)
let interruptSource = DispatchSource.makeSignalSource(signal: SIGINT, queue: signalQueue)
var isPrompting = false  // read and written on signalQueue only

do {
    try monitor.enable()
} catch {
    write("appmonitor-sample: cannot enable monitoring: \(error)\n", to: .standardError)
    exit(1)
}

let heartbeat = Heartbeat(monitor: monitor, interval: interval) { beat in
    if let error = beat.error {
        write("heartbeat \(beat.number) failed: \(error)\n", to: .standardError)
    } else {
        write("heartbeat \(beat.number) sent\n")
    }
}

func disableAndExit() -> Never {
    heartbeat.stop()
    do {
        try monitor.disable()
    } catch {
        write("appmonitor-sample: cannot disable monitoring: \(error)\n", to: .standardError)
        exit(1)
    }
    write("Monitoring disabled: no reset.\n")
    exit(0)
}

/// Asks for s, d or c until one is given; runs on promptQueue so heartbeats go on meanwhile.
func askForChoice() {
    write(prompt)
    while true {
        guard let line = readLine() else {
            write("End of input: disabling as for d.\n")
            disableAndExit()
        }
        switch line.trimmingCharacters(in: .whitespaces).lowercased() {
        case "s":
            heartbeat.stop()
            write("Stopped heartbeating without disabling: vSphere HA will reset this VM.\n")
            exit(0)
        case "d":
            disableAndExit()
        case "c":
            // Ready for the next Ctrl+C before saying so: one sent right after this line is answered.
            signalQueue.sync { isPrompting = false }
            write("Continuing to heartbeat.\n")
            return
        default:
            write("Please answer s, d or c.\nChoice [s/d/c]: ")
        }
    }
}

interruptSource.setRegistrationHandler { registered.signal() }
interruptSource.setEventHandler {
    guard !isPrompting else { return }  // a second Ctrl+C while the question waits is ignored
    isPrompting = true
    promptQueue.async { askForChoice() }
}
interruptSource.resume()
registered.wait()

let seconds = interval == interval.rounded() && interval < 1e15 ? "\(Int(interval))" : "\(interval)"
write(
    "Monitoring enabled on \(monitor.endpoint.map { "\($0)" } ?? "auto"); a heartbeat every \(seconds) s."
        + " Press Ctrl+C for choices.\n"
)
heartbeat.start()
dispatchMain()

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// vmguestlibtest: prints the guest statistics again and again until interrupted,
// as the Guest SDK's sample does. Argument parsing and output only; the work is
// in GuestLib.

import Dispatch
import Foundation
import GuestLib
import GuestRPC

let usage = "usage: vmguestlibtest [--interval SECONDS] [--count N] [--json] [--verbose]"
let help = """
    OVERVIEW: Prints every guest statistic of the vSphere Guest SDK again and again.

    \(usage)

    Opens a guestlib handle, updates it and prints all 38 statistics, then does it
    again every interval until interrupted (Ctrl+C ends it with exit status 0). From
    the second sample on it also prints CPU used and stolen time as shares of the
    elapsed time between the two samples.

    OPTIONS:
      --interval SECONDS  time between samples (default 1; 0 samples back to back)
      --count N           stop after N samples (default: until interrupted)
      --json              one JSON object per sample and line
      --verbose           debug log of every request on standard error
      --help              this text

    ENVIRONMENT:
      GUESTSDK_RPC        the endpoint: auto (default), vsock[:CID[:PORT]], backdoor or unix:PATH

    EXIT STATUS:
      0   every sample printed, or interrupted
      64  usage error
      69  not running in a VM, or the handle could not be opened
      75  an update got no answer: the host could not be reached or did not answer in time
      76  the host answered but the update failed: guestlib not enabled on the host, or a
          reply that could not be decoded (the error text and the endpoint are printed)
      78  GUESTSDK_RPC cannot be parsed

    """

func fail(_ status: Int32, _ message: String) -> Never {
    FileHandle.standardError.write(Data("vmguestlibtest: \(message)\n".utf8))
    exit(status)
}

func usageError(_ message: String) -> Never {
    fail(64, "\(message)\n\(usage)")
}

var interval: TimeInterval = 1
var count: Int?
var json = false
var verbose = false
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--help", "-h":
        print(help, terminator: "")
        exit(0)
    case "--json":
        json = true
    case "--verbose":
        verbose = true
    case "--interval":
        guard let text = arguments.first, let seconds = TimeInterval(text), seconds >= 0, seconds.isFinite else {
            usageError("--interval needs a number of seconds, 0 or more")
        }
        arguments.removeFirst()
        interval = seconds
    case "--count":
        guard let text = arguments.first, let number = Int(text), number > 0 else {
            usageError("--count needs a positive whole number")
        }
        arguments.removeFirst()
        count = number
    default:
        usageError("unexpected argument '\(argument)'")
    }
}

let logger = verbose ? Logger.standardError(label: "vmguestlibtest", minimumLevel: .debug) : .disabled
let endpoint: Endpoint
do {
    endpoint = try Endpoint.fromEnvironment()
} catch {
    fail(78, "\(Endpoint.environmentVariable): \(error)")
}

let handle: GuestLibHandle
do {
    handle = try GuestLibHandle(endpoint: endpoint, logger: logger)
} catch {
    fail(69, "OpenHandle failed: \(error.text) (endpoint \(endpoint)\(error.detail.map { "; \($0)" } ?? ""))")
}

// Ctrl+C (and SIGTERM) end the loop between samples; the handler only signals. During an
// update the main thread may be blocked on a host that never answers, so a signal then ends the
// tool at once (exit 0, as between samples) instead of waiting for a reply that may never come.
let wakeUp = DispatchSemaphore(value: 0)
let interruption = InterruptionFlag()
let updating = InterruptionFlag()
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let signalSources = [SIGINT, SIGTERM].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
        interruption.set()
        if updating.isSet { exit(0) }
        wakeUp.signal()
    }
    source.resume()
    return source
}

let printer = SamplePrinter(json: json, endpoint: endpoint)
var previous: StatisticsSample?
var index = 1
while !interruption.isSet {
    do {
        updating.set(true)
        defer { updating.set(false) }
        try handle.update()
    } catch {
        if let transportError = error.transportError {
            fail(75, "UpdateInfo failed: no answer from the host: \(transportError)")
        }
        fail(76, "UpdateInfo failed: \(error.text) (endpoint \(endpoint)\(error.detail.map { "; \($0)" } ?? ""))")
    }
    let sample = StatisticsSample(index: index, handle: handle)
    printer.print(sample, shares: previous.map { CPUShares(from: $0, to: sample) })
    previous = sample
    if let count, index >= count { break }
    index += 1
    if wakeUp.wait(timeout: .now() + interval) == .success { break }
}
exit(0)

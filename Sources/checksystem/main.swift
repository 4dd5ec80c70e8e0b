// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// checksystem: reports whether the Guest SDK can work on this machine. The checks
// live in GuestRPC's SystemCheck; this file parses arguments and prints.

import Foundation
import GuestRPC

let usage = "usage: checksystem [--json] [--verbose] [--help]"
let help = """
    \(usage)

    Checks whether the Guest SDK can work on this machine and prints one line per
    check with PASS, WARN or FAIL and a hint: the hypervisor vendor, whether this is
    a VMware guest, the vsock device and address family, the kernel version, whether
    a privileged vsock port may be bound, the endpoint GUESTSDK_RPC selects and
    whether it answers, and which Guest SDK libraries the dynamic loader finds.

    options:
      --json      print the report as JSON, for scripts
      --verbose   log the channel's debug entries to standard error
      --help      print this help

    environment:
      GUESTSDK_RPC  auto (default), vsock[:CID[:PORT]], backdoor or unix:PATH

    exit status: 0 when an endpoint answers (the SDK can work here), 1 otherwise,
    64 on a usage error.

    """

var json = false
var verbose = false
for argument in CommandLine.arguments.dropFirst() {
    switch argument {
    case "--json": json = true
    case "--verbose": verbose = true
    case "--help", "-h":
        print(help, terminator: "")
        exit(0)
    default:
        FileHandle.standardError.write(
            Data("checksystem: unknown option '\(argument)'\n\(usage)\n".utf8))
        exit(64)
    }
}

let logger = verbose ? Logger.standardError(label: "checksystem", minimumLevel: .debug) : .disabled
let report = SystemCheck(logger: logger).run()
if json {
    do {
        FileHandle.standardOutput.write(try report.jsonData() + Data("\n".utf8))
    } catch {
        FileHandle.standardError.write(
            Data("checksystem: cannot encode the report: \(error)\n".utf8))
        exit(1)
    }
} else {
    for finding in report.checks {
        print(finding.line)
    }
    print(report.canWork ? "The Guest SDK can work here." : "The Guest SDK cannot work here yet.")
}
exit(report.canWork ? 0 : 1)

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent

/// `guestsdk-host ctl`: drives a running agent through its control API.
enum ControlCommand {
    static let usageLine =
        "Usage: guestsdk-host ctl [--state-dir DIR] [--json] {vms | vm NAME | events | add | change | remove"
        + " | policy | stats | fault | agent | reload | url} ..."

    static let helpText = """
        \(usageLine)

        Drives the guestsdk-host agent whose state directory is DIR: reads the control port from
        DIR/control.port and the token from DIR/control.token (only the agent's user can read it).

        Commands:
          vms                              list VMs: status, app state, uptime, resets, policy
          vm NAME                          one VM in full (JSON)
          events [--after ID] [--limit N] [--vm NAME] [--kind KIND] [--follow]
                                           one page of events, oldest first; --follow prints
                                           new events as they come until interrupted
          add NAME [POLICY OPTIONS]        add a VM (defaults: High preset, V3 host)
          add --definition FILE|-          add a VM from a JSON definition
          change --definition FILE|-       replace a VM's definition
          remove NAME                      stop serving a VM and forget its state (events stay)
          policy NAME POLICY OPTIONS       change a VM's HA settings
          stats NAME FILE|-                merge a statistics JSON object into the VM's statistics
          fault NAME FAULT [ARGUMENT]      inject a fault:
                                             vmotion | suspend-resume | snapshot-revert
                                             protocol v2|v3 | guestlib on|off | host-info on|off
                                             app-monitoring on|off | delay MILLISECONDS
                                             drop-connections | hang [on|off] | clear
          agent                            the agent's own state
          reload                           reload the config file (as SIGHUP does)
          url                              print the control API's URL

        Policy options:
          --preset high|medium|low  --vm-monitoring vmMonitoringDisabled|vmMonitoringOnly|vmAndAppMonitoring
          --failure-interval S  --min-uptime S  --max-failures N  --max-failure-window S|-1

        Options, before or after the command (after `--` nothing more is read as an option):
          --state-dir DIR  the agent's state directory (default \(HostConfiguration.defaultStateDirectory))
          --json           print the API's JSON instead of a table
          -h, --help       print this help and exit

        Exit status: 0 success, 1 the agent refused or could not be reached, 64 usage error.

        """

    /// A command line that cannot be run; reported with the usage line and exit 64.
    struct UsageError: Error {
        var message: String
    }

    struct Failure: Error {
        var message: String
    }

    /// The options every command takes, and the command with its own arguments.
    struct Invocation {
        var stateDirectory = HostConfiguration.defaultStateDirectory
        var printsJSON = false
        var printsHelp = false
        var command: String?
        var arguments: [String] = []
    }

    /// Runs one ctl command and returns the exit status.
    static func run(_ arguments: [String]) -> Int32 {
        let invocation: Invocation
        do {
            invocation = try self.parse(arguments)
        } catch {
            return usage(error.message)
        }

        if invocation.printsHelp {
            print(helpText, terminator: "")
            return 0
        }
        guard let command = invocation.command else { return usage("missing command") }

        do {
            let client = try ControlClient(stateDirectory: invocation.stateDirectory)
            let output = try self.perform(command, invocation.arguments, client: client, json: invocation.printsJSON)
            if !output.isEmpty { print(output) }
            return 0
        } catch let error as UsageError {
            return usage(error.message)
        } catch let error as Failure {
            FileHandle.standardError.write(Data("guestsdk-host ctl: \(error.message)\n".utf8))
            return 1
        } catch {
            FileHandle.standardError.write(Data("guestsdk-host ctl: \(error)\n".utf8))
            return 1
        }
    }

    /// Splits the arguments into the global options and the command's own arguments.
    ///
    /// The global options (`--state-dir`, `--json`, `--help`) may come before or after the
    /// command; after a `--` nothing more is read as a global option, so a VM named `--json`
    /// can still be named. Before the command any other option is an error.
    ///
    /// - Throws: `UsageError` for an unknown option before the command or a missing value.
    static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var invocation = Invocation()
        var rest = arguments[...]
        var readsOptions = true
        while let argument = rest.popFirst() {
            if readsOptions, argument == "--", invocation.command != nil {
                readsOptions = false
            } else if readsOptions, try self.readGlobalOption(argument, from: &rest, into: &invocation) {
                continue
            } else if invocation.command == nil {
                guard !argument.hasPrefix("-") else { throw UsageError(message: "unknown option \(argument)") }
                invocation.command = argument
            } else {
                invocation.arguments.append(argument)
            }
        }
        return invocation
    }

    /// Applies `argument` when it is a global option, taking its value from `rest`.
    ///
    /// - Returns: false when `argument` is not a global option.
    private static func readGlobalOption(
        _ argument: String, from rest: inout ArraySlice<String>, into invocation: inout Invocation
    ) throws(UsageError) -> Bool {
        switch argument {
        case "-h", "--help":
            invocation.printsHelp = true
        case "--json":
            invocation.printsJSON = true
        case "--state-dir":
            guard let directory = rest.popFirst() else { throw UsageError(message: "--state-dir needs a value") }
            invocation.stateDirectory = directory
        default:
            return false
        }
        return true
    }

    private static func usage(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("guestsdk-host ctl: \(message)\n\(usageLine)\n".utf8))
        return 64
    }

    private static func perform(_ command: String, _ arguments: [String], client: ControlClient, json: Bool) throws
        -> String
    {
        var arguments = arguments
        func next(_ what: String) throws -> String {
            guard !arguments.isEmpty else { throw UsageError(message: "\(command) needs \(what)") }
            return arguments.removeFirst()
        }
        func done() throws {
            guard arguments.isEmpty else { throw UsageError(message: "unexpected argument \(arguments[0])") }
        }
        switch command {
        case "vms":
            try done()
            let body = try call(client, "GET", "/v1/vms")
            return json ? body.text : try VMTable.render(body.body)
        case "vm":
            let name = try next("a VM name")
            try done()
            return try call(client, "GET", "/v1/vms/\(escape(name))").text
        case "events":
            var query: [String] = []
            var after: Int64 = 0
            var follows = false
            while !arguments.isEmpty {
                let option = arguments.removeFirst()
                if option == "--follow" {
                    follows = true
                    continue
                }
                if option == "--after" {
                    guard let value = Int64(try next("a value for --after")) else {
                        throw UsageError(message: "--after needs an event id")
                    }
                    after = value
                    continue
                }
                let names = ["--limit": "limit", "--vm": "vm", "--kind": "kind"]
                guard let name = names[option] else { throw UsageError(message: "unknown events option \(option)") }
                query.append("\(name)=\(escape(try next("a value for \(option)")))")
            }
            repeat {
                let path = "/v1/events?" + (["after=\(after)"] + query).joined(separator: "&")
                let body = try call(client, "GET", path)
                let page = try EventTable.page(body.body)
                if !follows { return json ? body.text : try EventTable.render(body.body) }
                for line in json ? (page.events.isEmpty ? [] : [body.text]) : EventTable.lines(page) {
                    print(line)
                }
                fflush(stdout)
                after = page.next
                if page.events.isEmpty { usleep(500_000) }
            } while true
        case "add", "change":
            var definition: Data
            if arguments.first == "--definition" {
                arguments.removeFirst()
                definition = try readInput(try next("a file"))
            } else {
                guard command == "add" else { throw UsageError(message: "change needs --definition FILE") }
                var object: [String: Any] = ["name": try next("a VM name")]
                let policy = try policyOptions(&arguments)
                if !policy.isEmpty { object["ha"] = policy }
                definition = try JSONSerialization.data(withJSONObject: object)
            }
            try done()
            if command == "add" { return try call(client, "POST", "/v1/vms", body: definition).text }
            let name = (try? JSONSerialization.jsonObject(with: definition) as? [String: Any])?["name"] as? String ?? ""
            return try call(client, "PUT", "/v1/vms/\(escape(name))", body: definition).text
        case "remove":
            let name = try next("a VM name")
            try done()
            return try call(client, "DELETE", "/v1/vms/\(escape(name))").text
        case "policy":
            let name = try next("a VM name")
            let policy = try policyOptions(&arguments)
            try done()
            guard !policy.isEmpty else { throw UsageError(message: "policy needs at least one policy option") }
            let current = try call(client, "GET", "/v1/vms/\(escape(name))")
            guard let view = try JSONSerialization.jsonObject(with: current.body) as? [String: Any],
                var definition = view["definition"] as? [String: Any]
            else { throw Failure(message: "the agent's reply has no definition") }
            var ha = policy["preset"] != nil ? [:] : (definition["ha"] as? [String: Any] ?? [:])
            ha.merge(policy) { $1 }
            definition["ha"] = ha
            let body = try JSONSerialization.data(withJSONObject: definition)
            return try call(client, "PUT", "/v1/vms/\(escape(name))", body: body).text
        case "stats":
            let name = try next("a VM name")
            let body = try readInput(try next("a statistics file"))
            try done()
            return try call(client, "PATCH", "/v1/vms/\(escape(name))/statistics", body: body).text
        case "fault":
            let name = try next("a VM name")
            let fault = try faultBody(try next("a fault"), &arguments)
            try done()
            let body = try JSONSerialization.data(withJSONObject: fault, options: [.sortedKeys])
            return try call(client, "POST", "/v1/vms/\(escape(name))/faults", body: body).text
        case "agent":
            try done()
            return try call(client, "GET", "/v1/agent").text
        case "reload":
            try done()
            return try call(client, "POST", "/v1/reload").text
        case "url":
            try done()
            return "http://\(client.address):\(client.port)/"
        default:
            throw UsageError(message: "unknown command \(command)")
        }
    }

    private static func call(_ client: ControlClient, _ method: String, _ path: String, body: Data? = nil) throws
        -> ControlClient.Response
    {
        let response = try client.send(method, path, body: body)
        guard (200..<300).contains(response.status) else {
            let message =
                (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["error"] as? String
                ?? response.text
            throw Failure(message: "\(response.status): \(message)")
        }
        var trimmed = response
        while trimmed.body.last == 10 { trimmed.body.removeLast() }
        return trimmed
    }

    private static func policyOptions(_ arguments: inout [String]) throws -> [String: Any] {
        var policy: [String: Any] = [:]
        let integers = [
            "--failure-interval": "failureInterval", "--min-uptime": "minUpTime", "--max-failures": "maxFailures",
            "--max-failure-window": "maxFailureWindow",
        ]
        while let option = arguments.first, option.hasPrefix("--") {
            arguments.removeFirst()
            guard !arguments.isEmpty else { throw UsageError(message: "\(option) needs a value") }
            let value = arguments.removeFirst()
            if let key = integers[option] {
                guard let number = Int(value) else { throw UsageError(message: "\(option) needs an integer") }
                policy[key] = number
            } else if option == "--preset" {
                policy["preset"] = value
            } else if option == "--vm-monitoring" {
                policy["vmMonitoring"] = value
            } else {
                throw UsageError(message: "unknown policy option \(option)")
            }
        }
        return policy
    }

    private static func faultBody(_ fault: String, _ arguments: inout [String]) throws -> [String: Any] {
        func onOff(_ key: String, optional: Bool = false) throws -> [String: Any] {
            guard let value = arguments.first else {
                if optional { return ["fault": fault] }
                throw UsageError(message: "\(fault) needs on or off")
            }
            arguments.removeFirst()
            guard value == "on" || value == "off" else { throw UsageError(message: "\(fault) needs on or off") }
            return ["fault": fault, key: value == "on"]
        }
        switch fault {
        case "vmotion", "suspend-resume", "snapshot-revert", "drop-connections", "clear":
            return ["fault": fault]
        case "protocol":
            guard let version = arguments.first, version == "v2" || version == "v3" else {
                throw UsageError(message: "protocol needs v2 or v3")
            }
            arguments.removeFirst()
            return ["fault": fault, "version": version]
        case "guestlib", "host-info": return try onOff("enabled")
        case "app-monitoring": return try onOff("supported")
        case "hang": return try onOff("enabled", optional: true)
        case "delay":
            guard let text = arguments.first, let milliseconds = Int(text), milliseconds >= 0 else {
                throw UsageError(message: "delay needs a number of milliseconds")
            }
            arguments.removeFirst()
            return ["fault": fault, "milliseconds": milliseconds]
        default:
            throw UsageError(message: "unknown fault \(fault)")
        }
    }

    private static func readInput(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(message: "cannot read \(path)")
        }
        return data
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(
            withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/&?=")))
            ?? text
    }
}

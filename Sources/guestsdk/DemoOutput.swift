// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent

/// Writes the demo's lines to standard output as they happen, one `write(2)` per line.
final class DemoOutput: Sendable {
    /// True with `--json`: nothing but the final JSON is written.
    let quiet: Bool

    init(quiet: Bool) {
        self.quiet = quiet
    }

    func line(_ text: String) {
        guard !self.quiet else { return }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    func section(_ title: String) {
        self.line("\n== \(title)")
    }

    /// Prints every event, one a line, with its clock time.
    func timeline(_ events: [HAEvent]) {
        self.section("Event timeline (clock time)")
        for event in events {
            self.line("  \(Self.format(event))")
        }
    }

    /// One event as `t=  61.2s demo-vm heartbeat-missed overdue_ms=0.4 status=red appState=none`.
    static func format(_ event: HAEvent) -> String {
        let time = String(format: "t=%6.1fs", Double(event.time.nanoseconds) / 1e9)
        var line = "\(time) \(event.vmName) \(event.kind.name)"
        for field in event.kind.fields {
            line += " \(field.key)=\(field.value)"
        }
        return line + " status=\(event.status.wireText) appState=\(event.appState.rawValue)"
    }

    /// The events as one JSON document: `{"events": [{"sequence": 1, "time": 0.0, ...}]}`.
    static func json(_ events: [HAEvent]) throws -> String {
        let objects: [[String: Any]] = events.map { event in
            var fields: [String: String] = [:]
            for field in event.kind.fields { fields[field.key] = field.value }
            return [
                "sequence": event.sequence, "time": Double(event.time.nanoseconds) / 1e9,
                "vm": event.vmName,
                "event": event.kind.name, "fields": fields, "status": event.status.rawValue,
                "appState": event.appState.rawValue,
            ]
        }
        let data = try JSONSerialization.data(
            withJSONObject: ["events": objects], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

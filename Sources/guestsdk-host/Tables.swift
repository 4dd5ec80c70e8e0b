// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent

/// Prints the VM list as an aligned table.
enum VMTable {
    static func render(_ body: Data) throws -> String {
        let decoder = JSONDecoder()
        let list = try decoder.decode([String: [VMStatusView]].self, from: body)["vms"] ?? []
        var rows = [["NAME", "STATUS", "APP STATE", "UPTIME", "LAST HB", "RESETS", "HELD", "POLICY"]]
        for vm in list {
            let policy = vm.policy
            rows.append([
                vm.name, vm.appHeartbeatStatus.replacingOccurrences(of: "appStatus", with: "").lowercased(),
                vm.appState, duration(vm.uptimeSeconds), vm.secondsSinceLastHeartbeat.map(duration) ?? "-",
                "\(vm.resets.done)", "\(vm.resets.heldBack.values.reduce(0, +))",
                (policy.preset ?? "custom")
                    + " \(policy.failureInterval)s/\(policy.minUpTime)s/\(policy.maxFailures)"
                    + (policy.maxFailureWindow < 0 ? "" : " per \(policy.maxFailureWindow)s"),
            ])
        }
        return Table.format(rows)
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s" }
        return "\(Int(seconds) / 3600)h\(Int(seconds) % 3600 / 60)m"
    }
}

/// Prints a page of events, one per line, then the id for the next page.
enum EventTable {
    struct Page: Decodable {
        var events: [StoredEvent]
        var next: Int64
    }

    static func page(_ body: Data) throws -> Page {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Page.self, from: body)
    }

    /// One line per event: `41 2026-12-03T16:25:00Z vm=vm1 event=reset-held-back reason=minUptime ...`.
    static func lines(_ page: Page) -> [String] {
        page.events.map { event in
            let fields = event.fields.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            let date = ISO8601DateFormatter().string(from: event.date)
            return "\(event.id) \(date) vm=\(event.vmName) event=\(event.kind)\(fields) status=\(event.appStatus)"
        }
    }

    static func render(_ body: Data) throws -> String {
        let page = try self.page(body)
        return (self.lines(page) + ["next=\(page.next)"]).joined(separator: "\n")
    }
}

/// Left-aligned columns separated by two spaces.
enum Table {
    static func format(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}

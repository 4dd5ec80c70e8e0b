// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import GuestRPC

/// Set once by a signal handler, read by the sampling loop.
final class InterruptionFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { self.lock.withLock { self.value } }

    func set() {
        self.lock.withLock { self.value = true }
    }
}

/// Prints samples as aligned text or as one JSON object per line.
struct SamplePrinter {
    var json: Bool
    var endpoint: Endpoint

    func print(_ sample: StatisticsSample, shares: CPUShares?) {
        let text = self.json ? self.jsonLine(sample, shares: shares) : self.textBlock(sample, shares: shares)
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private func textBlock(_ sample: StatisticsSample, shares: CPUShares?) -> String {
        var lines = [
            "== sample \(sample.index): session 0x\(String(sample.sessionID, radix: 16)),"
                + " protocol \(sample.protocolVersion), endpoint \(self.endpoint)"
        ]
        let width = sample.readings.map(\.name.count).max() ?? 0
        for reading in sample.readings {
            let padded = reading.name.padding(toLength: width, withPad: " ", startingAt: 0)
            switch reading.value {
            case .success(let value): lines.append("\(padded)  \(value)")
            case .failure(let error): lines.append("\(padded)  -- \(error.text)")
            }
        }
        if let shares {
            lines.append(shares.text)
        }
        return lines.joined(separator: "\n") + "\n\n"
    }

    private func jsonLine(_ sample: StatisticsSample, shares: CPUShares?) -> String {
        var statistics: [String: Any] = [:]
        var errors: [String: Any] = [:]
        for reading in sample.readings {
            switch reading.value {
            case .success(let value):
                statistics[reading.name] = reading.number.map { NSNumber(value: $0) } ?? value
            case .failure(let error):
                statistics[reading.name] = NSNull()
                errors[reading.name] = ["code": Int(error.cCode), "text": error.text]
            }
        }
        var object: [String: Any] = [
            "sample": sample.index,
            "sessionId": "0x" + String(sample.sessionID, radix: 16),
            "protocolVersion": Int(sample.protocolVersion),
            "endpoint": "\(self.endpoint)",
            "statistics": statistics,
            "errors": errors,
        ]
        if let shares {
            var entry: [String: Any] = ["elapsedMs": NSNumber(value: shares.elapsedMs)]
            entry["cpuUsed"] = shares.used ?? NSNull()
            entry["cpuStolen"] = shares.stolen ?? NSNull()
            if let note = shares.note { entry["note"] = note }
            object["shares"] = entry
        }
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        return (data.map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// A strict reader of the Prometheus text format 0.0.4, written independently of the writer:
/// every line must be a HELP, a TYPE or a sample of the family typed just before it.
struct PrometheusTextCheck {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Failure: Error, CustomStringConvertible {
        var line: Int
        var text: String
        var reason: String
        var description: String { "line \(self.line): \(self.reason): \(self.text)" }
    }

    private(set) var types: [String: String] = [:]
    private(set) var helps: [String: String] = [:]
    private(set) var samples: [Sample] = []

    /// Parses `text`, throwing at the first line that breaks the format.
    init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else {
            throw Failure(line: 0, text: "", reason: "the text must end with a newline")
        }
        var current: String?
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let fail = { (reason: String) in Failure(line: number + 1, text: String(line), reason: reason) }
            if line.hasPrefix("# HELP ") {
                let parts = line.dropFirst(7).split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, Self.isName(parts[0]) else { throw fail("bad HELP") }
                self.helps[String(parts[0])] = String(parts[1])
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, Self.isName(parts[0]),
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[1]),
                    self.types[String(parts[0])] == nil
                else { throw fail("bad or repeated TYPE") }
                guard self.helps[String(parts[0])] != nil else { throw fail("TYPE without HELP") }
                self.types[String(parts[0])] = String(parts[1])
                current = String(parts[0])
            } else {
                let sample = try Self.parseSample(line, fail)
                guard let family = current, self.belongs(sample.name, to: family) else {
                    throw fail("sample outside its family")
                }
                self.samples.append(sample)
            }
        }
    }

    /// The value of the sample with this name and exactly these labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        self.samples.first { $0.name == name && $0.labels == labels }?.value
    }

    private func belongs(_ sample: String, to family: String) -> Bool {
        guard self.types[family] == "histogram" else { return sample == family }
        return [family + "_bucket", family + "_sum", family + "_count"].contains(sample)
    }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, !first.isNumber else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func parseSample(_ line: Substring, _ fail: (String) -> Failure) throws -> Sample {
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = rest[..<nameEnd]
        guard isName(name) else { throw fail("bad metric name") }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw fail("label without =") }
                let label = rest[..<equals]
                guard isName(label), !label.contains(":") else { throw fail("bad label name") }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw fail("label value not quoted") }
                rest = rest.dropFirst()
                var value = ""
                while true {
                    guard let character = rest.first else { throw fail("unterminated label value") }
                    rest = rest.dropFirst()
                    if character == "\"" { break }
                    if character == "\\" {
                        guard let escaped = rest.first else { throw fail("dangling backslash") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("bad escape")
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard labels.updateValue(value, forKey: String(label)) == nil else { throw fail("repeated label") }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("bad labels") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("no space before the value") }
        let valueText = rest.dropFirst()
        let value: Double?
        switch valueText {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default: value = Double(valueText)
        }
        guard let value else { throw fail("bad value") }
        return Sample(name: String(name), labels: labels, value: value)
    }
}

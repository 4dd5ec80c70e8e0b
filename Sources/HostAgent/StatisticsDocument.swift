// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// An extended-statistics document (`guestlib.stat.get`, PROTOCOL.md §6.1) before it is encoded.
///
/// Objects keep their keys sorted, so every encoding is deterministic.
public indirect enum StatisticsDocument: Equatable, Sendable {
    /// A JSON object, a YAML mapping, XML child elements.
    case object([String: StatisticsDocument])
    /// A list of items.
    case list([StatisticsDocument])
    /// Text.
    case text(String)
    /// An unsigned number.
    case number(UInt64)
    /// A truth value.
    case flag(Bool)

    /// The encodings `guestlib.stat.get` answers in.
    public enum Encoding: String, Sendable, CaseIterable {
        case json, text, yaml, xml

        /// Parses an encoding name, case-insensitively; an empty name means `text` (PROTOCOL.md §10.3:
        /// `vmware-toolbox-cmd stat raw` without arguments sends an empty encoding).
        public init?(name: String) {
            if name.isEmpty {
                self = .text
                return
            }
            guard let encoding = Encoding(rawValue: name.lowercased()) else { return nil }
            self = encoding
        }
    }

    /// The document in `encoding`.
    ///
    /// - Parameters:
    ///   - encoding: the format.
    ///   - rootName: the XML root element's name (such as the stat's name); unused by the other formats.
    /// - Returns: the encoded text; JSON through Foundation's `JSONSerialization`, sorted keys, no
    ///   whitespace; text as `dotted.key = value` lines; YAML block style with quoted strings; XML with
    ///   one element per key.
    public func encoded(as encoding: Encoding, rootName: String) -> String {
        switch encoding {
        case .json:
            let data = try? JSONSerialization.data(
                withJSONObject: self.foundationValue,
                options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]
            )
            return data.map { String(decoding: $0, as: UTF8.self) } ?? "null"
        case .text:
            var lines: [String] = []
            self.appendText(prefix: "", to: &lines)
            return lines.map { $0 + "\n" }.joined()
        case .yaml:
            var lines: [String] = []
            self.appendYAML(indent: "", to: &lines)
            return lines.map { $0 + "\n" }.joined()
        case .xml:
            var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
            self.appendXML(name: Self.xmlName(rootName.isEmpty ? "stats" : rootName), indent: "", to: &lines)
            return lines.map { $0 + "\n" }.joined()
        }
    }

    private var foundationValue: Any {
        switch self {
        case .object(let members): return members.mapValues(\.foundationValue)
        case .list(let items): return items.map(\.foundationValue)
        case .text(let text): return text
        case .number(let number): return NSNumber(value: number)
        case .flag(let flag): return flag
        }
    }

    private var scalarText: String? {
        switch self {
        case .text(let text): return text
        case .number(let number): return String(number)
        case .flag(let flag): return flag ? "true" : "false"
        case .object, .list: return nil
        }
    }

    private func appendText(prefix: String, to lines: inout [String]) {
        switch self {
        case .object(let members):
            for key in members.keys.sorted() {
                members[key]!.appendText(prefix: prefix.isEmpty ? key : "\(prefix).\(key)", to: &lines)
            }
        case .list(let items):
            for (index, item) in items.enumerated() {
                item.appendText(prefix: prefix.isEmpty ? String(index) : "\(prefix).\(index)", to: &lines)
            }
        default:
            let value = self.scalarText ?? ""
            lines.append(prefix.isEmpty ? value : "\(prefix) = \(value)")
        }
    }

    private func appendYAML(indent: String, to lines: inout [String]) {
        switch self {
        case .object(let members):
            for key in members.keys.sorted() {
                let member = members[key]!
                if let scalar = member.yamlScalar {
                    lines.append("\(indent)\(key): \(scalar)")
                } else {
                    lines.append("\(indent)\(key):")
                    member.appendYAML(indent: indent + "  ", to: &lines)
                }
            }
        case .list(let items):
            for item in items {
                if let scalar = item.yamlScalar {
                    lines.append("\(indent)- \(scalar)")
                } else {
                    lines.append("\(indent)-")
                    item.appendYAML(indent: indent + "  ", to: &lines)
                }
            }
        default:
            lines.append(indent + (self.yamlScalar ?? ""))
        }
    }

    private var yamlScalar: String? {
        switch self {
        case .text(let text): return Self.quoted(text)
        case .object(let members) where members.isEmpty: return "{}"
        case .list(let items) where items.isEmpty: return "[]"
        default: return self.scalarText
        }
    }

    private func appendXML(name: String, indent: String, to lines: inout [String]) {
        switch self {
        case .object(let members):
            lines.append("\(indent)<\(name)>")
            for key in members.keys.sorted() {
                members[key]!.appendXML(name: Self.xmlName(key), indent: indent + "  ", to: &lines)
            }
            lines.append("\(indent)</\(name)>")
        case .list(let items):
            lines.append("\(indent)<\(name)>")
            for item in items {
                item.appendXML(name: "item", indent: indent + "  ", to: &lines)
            }
            lines.append("\(indent)</\(name)>")
        default:
            lines.append("\(indent)<\(name)>\(Self.xmlEscaped(self.scalarText ?? ""))</\(name)>")
        }
    }

    /// A double-quoted string in JSON syntax, which YAML also reads.
    private static func quoted(_ text: String) -> String {
        JSONText.quoted(text)
    }

    private static func xmlEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    /// An element name made of letters, digits, `-`, `_` and `.`, starting with a letter or `_`.
    private static func xmlName(_ name: String) -> String {
        var result = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
        if let first = result.first, !(first.isLetter || first == "_") {
            result = "_" + result
        }
        return result.isEmpty ? "_" : result
    }
}

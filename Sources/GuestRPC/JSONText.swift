// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// One-line JSON objects of strings and Booleans, for the `--json` output of tools that do
/// without Foundation (a tool that imports it starts about 2 ms later, BENCHMARKS.md).
///
/// The text is what Foundation's `JSONSerialization` writes with `.sortedKeys` and
/// `.withoutEscapingSlashes` for the same object whose keys are lowercase ASCII.
package enum JSONText {
    /// A member's value.
    package enum Value: Sendable, Equatable {
        case string(String)
        case bool(Bool)
    }

    /// The object with `members` sorted by key, on one line without a line feed.
    ///
    /// - Parameter members: keys and values; a key given twice keeps its last value.
    /// - Returns: the text, as in `{"command":"enable","ok":true}`.
    package static func object(_ members: [String: Value]) -> String {
        let fields = members.sorted { $0.key < $1.key }.map { key, value in
            switch value {
            case .string(let text): "\(self.quoted(key)):\(self.quoted(text))"
            case .bool(let flag): "\(self.quoted(key)):\(flag)"
            }
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped, the rest as is.
    package static func quoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\u{08}": quoted += "\\b"
            case "\u{0C}": quoted += "\\f"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                quoted += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}

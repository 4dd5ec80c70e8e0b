// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A setting whose number is outside what the agent accepts, such as a failure interval of 0 or
/// a refresh tick of 1e-300 seconds.
///
/// The control API answers it 400 and a config file is refused with it; its text names the key,
/// the range and the value: `ha.failureInterval must be a whole number of seconds from 1 to
/// 86400, not 0`.
public struct SettingRangeError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The setting's key path, such as `ha.failureInterval` or `vms.[0].ha.failureInterval`.
    public var key: String
    /// The value as given, such as `1e-300`.
    public var value: String
    /// What is accepted, such as `a whole number of seconds from 1 to 86400`.
    public var allowed: String

    /// Creates an error.
    public init(key: String, value: String, allowed: String) {
        self.key = key
        self.value = value
        self.allowed = allowed
    }

    /// Creates an error about the number `value`.
    init(key: String, number value: Double, allowed: String) {
        self.init(key: key, value: Self.format(value), allowed: allowed)
    }

    public var description: String { "\(self.key) must be \(self.allowed), not \(self.value)" }

    /// Checks that `value` lies in `range`.
    ///
    /// - Parameters:
    ///   - value: the number given.
    ///   - range: the numbers accepted.
    ///   - key: the setting's key path, for the error.
    ///   - unit: the unit's plural, such as `seconds`, for the error.
    /// - Throws: `SettingRangeError` when `value` is outside `range`.
    static func check(_ value: Double, in range: ClosedRange<Double>, key: String, unit: String) throws {
        guard range.contains(value) else {
            let bounds = "from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
            let allowed = "a number of \(unit) \(bounds)"
            throw SettingRangeError(key: key, number: value, allowed: allowed)
        }
    }

    /// A key path as the errors of the config file write it: `vms.[0].ha.failureInterval`.
    static func keyPath(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    /// A number as a person would write it: `30`, `0.5`, `1e-300`, `1e+30`.
    static func format(_ value: Double) -> String {
        guard value.rounded() == value, abs(value) < 1e15 else { return "\(value)" }
        return String(Int64(value))
    }
}

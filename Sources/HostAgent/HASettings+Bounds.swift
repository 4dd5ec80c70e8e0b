// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension HASettings {
    /// A numeric HA setting (PROTOCOL.md §16) and the values the agent accepts for it.
    ///
    /// vSphere sets no upper bounds; these are ours, wide enough for every preset (the Low preset's
    /// window is 7 days) and narrow enough that a typo cannot switch monitoring off for years or
    /// make a VM's reset history grow without end.
    public enum NumericSetting: String, CaseIterable, Sendable {
        /// 1 s to 1 day.
        case failureInterval
        /// 0 to 1 day.
        case minUpTime
        /// 0 to 10,000 resets.
        case maxFailures
        /// -1 (no window) or 1 s to 30 days.
        case maxFailureWindow

        /// The whole numbers accepted; `maxFailureWindow` also accepts -1.
        public var range: ClosedRange<Int> {
            switch self {
            case .failureInterval: 1...86_400
            case .minUpTime: 0...86_400
            case .maxFailures: 0...10_000
            case .maxFailureWindow: 1...2_592_000
            }
        }

        /// What the setting accepts, in words: `a whole number of seconds from 1 to 86400`.
        public var allowed: String {
            let kind = self == .maxFailures ? "a whole number" : "a whole number of seconds"
            let text = "\(kind) from \(self.range.lowerBound) to \(self.range.upperBound)"
            return self == .maxFailureWindow ? "-1 (no window) or " + text : text
        }

        /// Returns `value` as a whole number when the setting accepts it.
        ///
        /// - Parameters:
        ///   - value: the number given, which JSON may spell as `30`, `30.0` or `3e1`.
        ///   - key: the setting's key path, for the error.
        /// - Returns: the value.
        /// - Throws: `SettingRangeError` naming `key`, the range and the value.
        public func checked(_ value: Double, key: String) throws -> Int {
            let isNoWindow = self == .maxFailureWindow && value == -1
            let isInRange = Double(self.range.lowerBound) <= value && value <= Double(self.range.upperBound)
            guard isNoWindow || (isInRange && value.rounded() == value) else {
                throw SettingRangeError(key: key, number: value, allowed: self.allowed)
            }
            return Int(value)
        }
    }

    /// The value of a numeric setting.
    public subscript(setting: NumericSetting) -> Int {
        get {
            switch setting {
            case .failureInterval: self.failureInterval
            case .minUpTime: self.minUpTime
            case .maxFailures: self.maxFailures
            case .maxFailureWindow: self.maxFailureWindow
            }
        }
        set {
            switch setting {
            case .failureInterval: self.failureInterval = newValue
            case .minUpTime: self.minUpTime = newValue
            case .maxFailures: self.maxFailures = newValue
            case .maxFailureWindow: self.maxFailureWindow = newValue
            }
        }
    }

    /// Checks every numeric setting against its range.
    ///
    /// - Parameter keyPrefix: put before each setting's name in the error, such as `ha.`.
    /// - Throws: `SettingRangeError` for the first setting out of its range.
    public func validate(keyPrefix: String = "") throws {
        for setting in NumericSetting.allCases {
            _ = try setting.checked(Double(self[setting]), key: keyPrefix + setting.rawValue)
        }
    }
}

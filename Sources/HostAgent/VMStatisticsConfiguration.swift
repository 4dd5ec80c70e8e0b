// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// Everything that shapes one VM's guest statistics: the host's behaviour, the figures, the refresh tick.
///
/// This is also the schema of a VM's statistics file. Every key is optional; a
/// missing key keeps its default, an unknown key is an error (so a typo is not
/// silently ignored):
///
/// ```json
/// {
///   "host": { "protocol": "v3", "guestlibEnabled": true, "hostInfo": true, "statisticCount": 38 },
///   "values": { "cpuLimitMHz": 2000, "memoryShares": 5000000000, "resourcePoolPath": "/host/c1/Resources/web" },
///   "followHostCounters": false,
///   "refreshIntervalSeconds": 1
/// }
/// ```
///
/// `host` holds `GuestLibHostBehaviour`'s keys, `values` holds
/// `GuestStatisticsValues`' property names. With `followHostCounters` the CPU
/// used and stolen times and the memory figures come from this machine's
/// `/proc/stat` and `/proc/meminfo`, so that the numbers move.
public struct VMStatisticsConfiguration: Codable, Equatable, Sendable {
    /// JSON key `host`.
    public var host: GuestLibHostBehaviour = GuestLibHostBehaviour()
    /// JSON key `values`.
    public var values: GuestStatisticsValues = GuestStatisticsValues()
    /// JSON key `followHostCounters`: take CPU and memory figures from `/proc`.
    public var followsHostCounters: Bool = false
    /// JSON key `refreshIntervalSeconds`: the refresh tick; updates inside one tick see equal values.
    public var refreshInterval: TimeInterval = 1

    /// The refresh ticks accepted, in seconds: 0.1 s to 1 hour.
    public static let refreshIntervalRange: ClosedRange<Double> = 0.1...3600
    /// The statistic counts a V3 reply may carry: ids 1 to 38.
    public static let statisticCountRange: ClosedRange<UInt32> = 1...38

    /// The defaults: a V3 host, a 2-vCPU 4 GiB VM, figures that grow with the clock, a 1-second tick.
    public init() {}

    /// Checks the numbers decoding accepts but the agent cannot use: the refresh tick and the
    /// statistic count.
    ///
    /// - Parameter keyPrefix: put before each key in the error, such as `statistics.`.
    /// - Throws: `SettingRangeError` naming the key, the range and the value.
    public func validate(keyPrefix: String = "") throws {
        try SettingRangeError.check(
            self.refreshInterval, in: Self.refreshIntervalRange, key: keyPrefix + "refreshIntervalSeconds",
            unit: "seconds")
        let count = self.host.statisticCount
        guard Self.statisticCountRange.contains(count) else {
            let range = Self.statisticCountRange
            throw SettingRangeError(
                key: keyPrefix + "host.statisticCount", value: "\(count)",
                allowed: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case host
        case values
        case followsHostCounters = "followHostCounters"
        case refreshInterval = "refreshIntervalSeconds"
    }
}

/// Why a statistics file could not be used.
public struct StatisticsFileError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file that was read.
    public var path: String
    /// What was wrong with it.
    public var reason: String

    /// Creates an error about `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "statistics file \(self.path): \(self.reason)" }
}

extension VMStatisticsConfiguration {
    /// Reads a statistics file: the JSON object described on `VMStatisticsConfiguration`.
    ///
    /// - Parameter path: the file to read.
    /// - Returns: the defaults with every key the file names replaced.
    /// - Throws: `StatisticsFileError` when the file cannot be read, is not JSON, names an unknown key or holds
    ///   a value of the wrong type.
    public static func load(contentsOf path: String) throws -> VMStatisticsConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw StatisticsFileError(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        return try self.decode(data, path: path)
    }

    /// Decodes the JSON text of a statistics file, keeping the default of every key it does not name.
    ///
    /// - Parameters:
    ///   - data: the JSON text.
    ///   - path: the file name to put in errors.
    /// - Returns: the configuration.
    /// - Throws: `StatisticsFileError` as `load(contentsOf:)` does, also for a number out of range.
    public static func decode(_ data: Data, path: String = "<data>") throws -> VMStatisticsConfiguration {
        let configuration = try self.decodeUnchecked(data, path: path)
        do {
            try configuration.validate()
        } catch {
            throw StatisticsFileError(path: path, reason: "\(error)")
        }
        return configuration
    }

    /// Decodes as `decode(_:path:)` does without checking the ranges of `validate(keyPrefix:)`, for
    /// callers that report a range error with their own key path.
    ///
    /// - Throws: `StatisticsFileError` when the text is not JSON, names an unknown key or holds a
    ///   value of the wrong type.
    static func decodeUnchecked(_ data: Data, path: String) throws -> VMStatisticsConfiguration {
        guard let overrides = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StatisticsFileError(path: path, reason: "is not a JSON object")
        }
        let defaults = try! JSONSerialization.jsonObject(with: JSONEncoder().encode(VMStatisticsConfiguration()))
        var merged = defaults as! [String: Any]
        try self.merge(overrides, into: &merged, keyPath: "", path: path)
        do {
            let mergedData = try JSONSerialization.data(withJSONObject: merged)
            return try JSONDecoder().decode(VMStatisticsConfiguration.self, from: mergedData)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw StatisticsFileError(path: path, reason: "\(key): \(context.debugDescription)")
        } catch {
            throw StatisticsFileError(path: path, reason: "\(error)")
        }
    }

    private static func merge(
        _ overrides: [String: Any], into target: inout [String: Any], keyPath: String, path: String
    ) throws {
        for (key, value) in overrides {
            let fullKey = keyPath.isEmpty ? key : "\(keyPath).\(key)"
            guard let current = target[key] else {
                throw StatisticsFileError(path: path, reason: "unknown key \(fullKey)")
            }
            if var nested = current as? [String: Any] {
                guard let nestedOverrides = value as? [String: Any] else {
                    throw StatisticsFileError(path: path, reason: "\(fullKey) must be an object")
                }
                try self.merge(nestedOverrides, into: &nested, keyPath: fullKey, path: path)
                target[key] = nested
            } else {
                target[key] = value
            }
        }
    }
}

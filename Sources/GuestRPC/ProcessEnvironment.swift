// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// The process environment as a dictionary, read from `environ` without Foundation.
public enum ProcessEnvironment {
    /// Every `NAME=value` entry of `environ` at the time of the call.
    ///
    /// It answers as Foundation's `ProcessInfo.processInfo.environment` does: an entry
    /// splits at its first `=`, an entry without one or that is not UTF-8 is skipped,
    /// and of two entries with one name the later wins.
    public static var current: [String: String] {
        var variables: [String: String] = [:]
        // environ is NULL after clearenv(3): read glibc's __environ as an optional (the overlay's
        // environ is non-optional).
        let table: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = __environ
        guard var entry = table else { return variables }
        while let pointer = entry.pointee {
            if let text = String(validatingCString: pointer),
                let equals = text.utf8.firstIndex(of: UInt8(ascii: "="))
            {
                let name = String(text[..<equals])
                variables[name] = String(text[text.utf8.index(after: equals)...])
            }
            entry += 1
        }
        return variables
    }
}

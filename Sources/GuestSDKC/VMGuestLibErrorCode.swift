// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The `VMGuestLibError` values of PROTOCOL.md §8.2, as the C functions return them.
enum VMGuestLibErrorCode: Int32, CaseIterable, Error {
    case success = 0
    case other = 1
    case notRunningInVM = 2
    case notEnabled = 3
    case notAvailable = 4
    case noInfo = 5
    case memory = 6
    case bufferTooSmall = 7
    case invalidHandle = 8
    case invalidArgument = 9
    case unsupportedVersion = 10

    /// The exact `VMGuestLib_GetErrorText` text, NUL-terminated in the library's read-only data.
    var text: StaticString {
        switch self {
        case .success: "No error"
        case .other: "Other error"
        case .notRunningInVM: "VMware Guest API is not running in a Virtual Machine"
        case .notEnabled: "VMware Guest API is not enabled on the host"
        case .notAvailable: "This value is not available on this host"
        case .noInfo: "VMGuestLib_UpdateInfo() has not been called"
        case .memory: "There is not enough system memory"
        case .bufferTooSmall: "The provided memory buffer is too small"
        case .invalidHandle: "The provided handle is invalid"
        case .invalidArgument: "One or more arguments were invalid"
        case .unsupportedVersion: "Host does not support this request."
        }
    }

    /// The text for any C value: values outside the enum read `Other error`.
    static func text(for value: Int32) -> StaticString {
        (VMGuestLibErrorCode(rawValue: value) ?? .other).text
    }
}

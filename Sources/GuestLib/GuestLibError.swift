// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC

/// Why a GuestLib call failed, with the `VMGuestLibError` code the C ABI returns (PROTOCOL.md §8.2).
///
/// Errors compare equal when their codes are equal; `detail` says what was seen
/// (the statistic, the host's failure text, the decode error) and `reply` keeps
/// the failure text a C caller is handed where the SDK hands one back.
public struct GuestLibError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The `VMGuestLibError` value, 1 to 10.
    public let cCode: Int32
    /// What failed and why, in words; nil when the code says it all.
    public var detail: String?
    /// The host's failure text after `0 `, or the guest's transport text (§2.7), where there is one.
    public var reply: [UInt8]?
    /// Why no host answered, when the failure is the transport's (nothing reached the host, or it
    /// did not answer in time) rather than a reply.
    public var transportError: RPCError?

    private init(_ code: Int32) {
        self.cCode = code
    }

    /// `VMGUESTLIB_ERROR_OTHER` (1): a malformed reply, or any failure without a better code.
    public static let other = GuestLibError(1)
    /// `VMGUESTLIB_ERROR_NOT_RUNNING_IN_VM` (2): `auto` or `backdoor` outside a VMware VM.
    public static let notRunningInVM = GuestLibError(2)
    /// `VMGUESTLIB_ERROR_NOT_ENABLED` (3): the host does not answer `guestlib.info.get` (`Unknown command`).
    public static let notEnabled = GuestLibError(3)
    /// `VMGUESTLIB_ERROR_NOT_AVAILABLE` (4): the host knows the statistic but marks it invalid.
    public static let notAvailable = GuestLibError(4)
    /// `VMGUESTLIB_ERROR_NO_INFO` (5): no update has succeeded since the handle opened or the last one failed.
    public static let noInfo = GuestLibError(5)
    /// `VMGUESTLIB_ERROR_MEMORY` (6): out of memory; declared by the SDK, never produced by this library.
    public static let memory = GuestLibError(6)
    /// `VMGUESTLIB_ERROR_BUFFER_TOO_SMALL` (7): a caller's buffer or the 255-byte request limit is too small.
    public static let bufferTooSmall = GuestLibError(7)
    /// `VMGUESTLIB_ERROR_INVALID_HANDLE` (8): used by the C ABI for a NULL handle.
    public static let invalidHandle = GuestLibError(8)
    /// `VMGUESTLIB_ERROR_INVALID_ARG` (9): used by the C ABI for a NULL argument.
    public static let invalidArgument = GuestLibError(9)
    /// `VMGUESTLIB_ERROR_UNSUPPORTED_VERSION` (10): the host's protocol version does not carry the statistic.
    public static let unsupportedVersion = GuestLibError(10)

    /// The error with `detail`, `reply` and `transportError` filled in.
    ///
    /// - Parameters:
    ///   - detail: what failed and why.
    ///   - reply: the failure text handed to a C caller, if any.
    ///   - transportError: why no host answered, if that is the failure.
    /// - Returns: a copy carrying them.
    public func with(detail: String?, reply: [UInt8]? = nil, transportError: RPCError? = nil) -> GuestLibError {
        var copy = self
        copy.detail = detail
        copy.reply = reply
        copy.transportError = transportError
        return copy
    }

    /// The exact `VMGuestLib_GetErrorText` text of this error's code.
    public var text: String { GuestLibError.text(forCode: self.cCode) }

    /// The exact `VMGuestLib_GetErrorText` text for a `VMGuestLibError` value (PROTOCOL.md §8.2).
    ///
    /// - Parameter code: any value; 0 is `No error`, and values outside 0 to 10 are `Other error`.
    /// - Returns: the static text.
    public static func text(forCode code: Int32) -> String {
        switch code {
        case 0: return "No error"
        case 2: return "VMware Guest API is not running in a Virtual Machine"
        case 3: return "VMware Guest API is not enabled on the host"
        case 4: return "This value is not available on this host"
        case 5: return "VMGuestLib_UpdateInfo() has not been called"
        case 6: return "There is not enough system memory"
        case 7: return "The provided memory buffer is too small"
        case 8: return "The provided handle is invalid"
        case 9: return "One or more arguments were invalid"
        case 10: return "Host does not support this request."
        default: return "Other error"
        }
    }

    /// The SDK text, then the detail when there is one.
    public var description: String {
        guard let detail = self.detail else { return self.text }
        return "\(self.text): \(detail)"
    }

    public static func == (lhs: GuestLibError, rhs: GuestLibError) -> Bool {
        lhs.cCode == rhs.cCode
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.cCode)
    }
}

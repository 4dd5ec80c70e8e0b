// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The numbers of the backdoor and its RPCI message protocol (PROTOCOL.md §1.1, §2.3).
public enum BackdoorProtocol {
    /// EAX of every backdoor call: "VMXh" read most-significant byte first.
    public static let magic: UInt32 = 0x564D_5868
    /// The low-bandwidth I/O port, in DX.lo.
    public static let lowBandwidthPort: UInt32 = 0x5658
    /// The high-bandwidth I/O port, in DX.lo of the string transfers.
    public static let highBandwidthPort: UInt32 = 0x5659
    /// The GETVERSION command number (ECX.lo).
    public static let getVersionCommand: UInt32 = 10
    /// The message command number (ECX.lo).
    public static let messageCommand: UInt32 = 0x1E
    /// The version GETVERSION must return in EAX for the check to pass.
    public static let requiredVersion: UInt32 = 6
    /// The RPCI protocol number of OPEN: "RPCI" in little-endian memory order.
    public static let rpciProtocol: UInt32 = 0x4943_5052
    /// OR'ed into the protocol number of OPEN to ask for cookies.
    public static let cookieFlag: UInt32 = 0x8000_0000
    /// The longest guest-to-host message the host accepts.
    public static let maximumMessageLength = 65536
    /// EBX of both high-bandwidth transfers: sub-command MESSAGE (0) with SUCCESS in the high half.
    public static let highBandwidthMessage: UInt32 = 0x0001_0000

    /// Message types, placed in ECX.hi (and echoed by the host in EDX.hi).
    public enum MessageType: UInt32, Sendable, CustomStringConvertible {
        case open = 0
        case sendSize = 1
        case sendPayload = 2
        case receiveSize = 3
        case receivePayload = 4
        case receiveStatus = 5
        case close = 6

        public var description: String {
            switch self {
            case .open: "OPEN"
            case .sendSize: "SENDSIZE"
            case .sendPayload: "SENDPAYLOAD"
            case .receiveSize: "RECVSIZE"
            case .receivePayload: "RECVPAYLOAD"
            case .receiveStatus: "RECVSTATUS"
            case .close: "CLOSE"
            }
        }

        /// ECX for a message call of this type.
        public var ecx: UInt32 { self.rawValue << 16 | BackdoorProtocol.messageCommand }
    }

    /// Status bits, returned in ECX.hi (low bandwidth) or EBX.hi (high bandwidth).
    public struct Status: OptionSet, Sendable, CustomStringConvertible {
        public var rawValue: UInt32

        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// The call succeeded.
        public static let success = Status(rawValue: 0x0001)
        /// A message is waiting for the guest.
        public static let doReceive = Status(rawValue: 0x0002)
        /// The channel was closed.
        public static let closed = Status(rawValue: 0x0004)
        /// The host removed the message before it was fetched.
        public static let unsent = Status(rawValue: 0x0008)
        /// A checkpoint happened; the guest must restart the operation.
        public static let checkpoint = Status(rawValue: 0x0010)
        /// A device is powering off.
        public static let powerOff = Status(rawValue: 0x0020)
        /// The host saw a timeout on the channel.
        public static let timeout = Status(rawValue: 0x0040)
        /// High-bandwidth transfers are supported.
        public static let highBandwidth = Status(rawValue: 0x0080)

        public var description: String {
            "0x" + String(self.rawValue, radix: 16)
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Where a guest library sends its requests, chosen by `GUESTSDK_RPC`.
///
/// `auto` behaves as VMware Tools does: privileged vsock, then unprivileged
/// vsock, then the backdoor, and only inside a VMware VM. The other forms name
/// one endpoint and never fall through to another.
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    /// vsock first, then the backdoor, only inside a VMware guest.
    case auto
    /// A vsock stream to `cid`:`port`; the hypervisor listens on 0:976.
    case vsock(cid: UInt32, port: UInt32)
    /// The VMware backdoor I/O port, only inside a VMware guest.
    case backdoor
    /// A stream Unix socket carrying the vsock framing, served by `guestsdk-host`.
    case unix(path: String)

    /// The environment variable that selects the endpoint.
    public static let environmentVariable = "GUESTSDK_RPC"

    /// The hypervisor's vsock context id.
    public static let hypervisorCID: UInt32 = 0

    /// The vsock port of the host's RPCI listener.
    public static let rpciPort: UInt32 = 976

    /// Parses an endpoint: `auto`, `vsock[:CID[:PORT]]`, `backdoor` or `unix:PATH`.
    ///
    /// - Throws: `EndpointError` naming the text that could not be parsed.
    public init(parsing text: String) throws {
        let trimmed = Endpoint.trimmingBlanks(text)
        guard !trimmed.isEmpty else {
            self = .auto
            return
        }
        let parts = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        switch parts[0].lowercased() {
        case "auto" where parts.count == 1:
            self = .auto
        case "backdoor" where parts.count == 1:
            self = .backdoor
        case "unix":
            guard parts.count == 2, !parts[1].isEmpty else {
                throw EndpointError(text: text, reason: "unix needs a socket path, as in unix:/run/guestsdk/vm.sock")
            }
            self = .unix(path: parts[1])
        case "vsock":
            self = try Endpoint.parseVSock(parts.count == 2 ? parts[1] : nil, original: text)
        default:
            throw EndpointError(
                text: text, reason: "expected auto, vsock[:CID[:PORT]], backdoor or unix:PATH"
            )
        }
    }

    /// The endpoint named by `GUESTSDK_RPC` in `environment`, or `auto` when it is unset.
    ///
    /// - Throws: `EndpointError` when the variable is set but malformed.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessEnvironment.current
    ) throws -> Endpoint {
        guard let text = environment[Endpoint.environmentVariable] else { return .auto }
        return try Endpoint(parsing: text)
    }

    /// True for endpoints that exist only inside a VMware VM and need the VM check first.
    public var requiresVMwareGuest: Bool {
        switch self {
        case .auto, .backdoor: true
        case .vsock, .unix: false
        }
    }

    /// True when requests travel over the backdoor port.
    public var isBackdoor: Bool { self == .backdoor }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .vsock(let cid, let port): "vsock:\(cid):\(port)"
        case .backdoor: "backdoor"
        case .unix(let path): "unix:\(path)"
        }
    }

    /// `text` without the blanks at either end: tab, space, U+00A0, U+1680, U+2000–U+200B,
    /// U+202F, U+205F and U+3000, exactly the scalars of Foundation's `CharacterSet.whitespaces`.
    static func trimmingBlanks(_ text: String) -> String {
        func isBlank(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
            default: false
            }
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isBlank($0) }),
            let last = scalars.lastIndex(where: { !isBlank($0) })
        else {
            return ""
        }
        return String(scalars[first...last])
    }

    /// Parses what follows `vsock:`; nil when there is no colon at all. `vsock:` alone is an empty CID.
    private static func parseVSock(_ rest: String?, original: String) throws -> Endpoint {
        let fields = rest?.split(separator: ":", omittingEmptySubsequences: false).map(String.init) ?? []
        guard fields.count <= 2 else {
            throw EndpointError(text: original, reason: "vsock takes at most a CID and a port, as in vsock:0:976")
        }
        var cid = Endpoint.hypervisorCID
        var port = Endpoint.rpciPort
        if fields.count >= 1 {
            guard let value = UInt32(fields[0]) else {
                throw EndpointError(text: original, reason: "the vsock CID '\(fields[0])' is not a 32-bit number")
            }
            cid = value
        }
        if fields.count == 2 {
            guard let value = UInt32(fields[1]) else {
                throw EndpointError(text: original, reason: "the vsock port '\(fields[1])' is not a 32-bit number")
            }
            port = value
        }
        return .vsock(cid: cid, port: port)
    }
}

/// A `GUESTSDK_RPC` value that does not name an endpoint.
public struct EndpointError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The text that was given.
    public var text: String
    /// What is wrong with it and what was expected.
    public var reason: String

    public var description: String {
        "\(Endpoint.environmentVariable)='\(self.text)' is not an endpoint: \(self.reason)"
    }
}

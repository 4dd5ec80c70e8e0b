// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib
import GuestRPC

/// The GuestLib calls behind the C functions, with `GuestLibError` turned into `VMGuestLibError` values.
///
/// The endpoint is read from `GUESTSDK_RPC` on every `OpenHandle`, `StatGet` and
/// `AtomicUpdateCookie`, so a program that sets it before the call is honoured.
/// Requests go through GuestRPC's channel factory, one-shot, as the Guest SDK's
/// statistics library sends them (PROTOCOL.md §3.4).
enum GuestLibBridge {
    /// The Swift handle a C token stands for; it serialises its own state.
    typealias Handle = GuestLibHandle

    /// Makes the one-shot channel for each request.
    static let makeChannel: GuestLibHandle.ChannelMaker = { endpoint in
        try RPCChannelFactory.makeChannel(for: endpoint, oneShot: true, logger: .disabled)
    }

    /// A new handle on the `GUESTSDK_RPC` endpoint, after the VM check of `VMGuestLib_OpenHandle`.
    ///
    /// A `GUESTSDK_RPC` that names no endpoint counts as no host at all: `NOT_RUNNING_IN_VM`.
    static func makeHandle() -> Result<Handle, VMGuestLibErrorCode> {
        guard let endpoint = try? Endpoint.fromEnvironment() else { return .failure(.notRunningInVM) }
        do {
            return .success(
                try GuestLibHandle(
                    endpoint: endpoint, isVMwareGuest: { Hypervisor.detect().isVMware }, makeChannel: makeChannel))
        } catch {
            return .failure(code(error))
        }
    }

    /// `guestlib.info.get` into `handle`.
    static func update(_ handle: Handle) -> VMGuestLibErrorCode {
        do {
            try handle.update()
            return .success
        } catch {
            return code(error)
        }
    }

    /// `guestlib.stat.get <encoding> <stat>`: the result code and the reply or failure text.
    static func statGet(encoding: [UInt8], stat: [UInt8]) -> (code: VMGuestLibErrorCode, reply: [UInt8]?) {
        guard let endpoint = try? Endpoint.fromEnvironment() else { return (.notAvailable, nil) }
        let result = GuestLibHandle.extendedStatistics(
            encoding: encoding, stat: stat, endpoint: endpoint, makeChannel: makeChannel)
        switch result {
        case .success(let document): return (.success, document)
        case .failure(let error): return (code(error), error.reply)
        }
    }

    /// `guestlib.ioctl` with the atomic-update-cookie request: whether the host accepted it, and its reply.
    static func atomicUpdateCookie(source: [UInt8], destination: [UInt8]) -> (succeeded: Bool, reply: [UInt8]?) {
        guard let endpoint = try? Endpoint.fromEnvironment(),
            let reply = GuestLibHandle.atomicUpdateCookie(
                source: source, destination: destination, endpoint: endpoint, makeChannel: makeChannel)
        else { return (false, nil) }
        return (reply.succeeded, reply.payload)
    }

    /// The C value of a GuestLib error.
    static func code(_ error: GuestLibError) -> VMGuestLibErrorCode {
        VMGuestLibErrorCode(rawValue: error.cCode) ?? .other
    }

    /// A GuestLib answer with its error turned into the C value.
    static func answer<Value>(_ result: Result<Value, GuestLibError>) -> Result<Value, VMGuestLibErrorCode> {
        result.mapError(code)
    }
}

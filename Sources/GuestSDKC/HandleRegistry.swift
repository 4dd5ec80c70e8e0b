// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Synchronization

/// The live `VMGuestLibHandle`s of this process.
///
/// A C handle is an opaque token, never a pointer to memory: the library looks
/// it up here under a lock and never dereferences what a caller passes in. A
/// NULL, closed or foreign token is simply absent, which the C functions answer
/// with `VMGUESTLIB_ERROR_INVALID_HANDLE`. Tokens are never reused, so a closed
/// handle stays invalid even after many more are opened. Each token is a
/// non-canonical x86-64 address (tag 0x4753 in the top 16 bits), so a caller
/// that dereferences one by mistake faults at once instead of reading someone
/// else's memory. A call running on a handle while another thread closes it
/// finishes on its own reference.
final class HandleRegistry<Handle: AnyObject & Sendable>: Sendable {
    private struct State {
        var nextSerial: UInt = 1
        var handles: [UInt: Handle] = [:]
    }

    /// The top 16 bits of every token.
    private static var tokenTag: UInt { 0x4753 << 48 }

    private let state = Mutex(State())

    /// Adds `handle` and returns the token a C caller holds for it.
    func register(_ handle: Handle) -> OpaquePointer {
        let serial = self.state.withLock { state in
            let serial = state.nextSerial
            state.nextSerial += 1
            state.handles[serial] = handle
            return serial
        }
        return OpaquePointer(bitPattern: Self.tokenTag | (serial << 4))!
    }

    /// The handle for `token`, or nil when it is NULL, closed or was never issued.
    func handle(for token: OpaquePointer?) -> Handle? {
        guard let serial = Self.serial(of: token) else { return nil }
        return self.state.withLock { $0.handles[serial] }
    }

    /// Removes `token`.
    ///
    /// - Returns: true when `token` was open.
    func remove(_ token: OpaquePointer?) -> Bool {
        guard let serial = Self.serial(of: token) else { return false }
        return self.state.withLock { $0.handles.removeValue(forKey: serial) != nil }
    }

    private static func serial(of token: OpaquePointer?) -> UInt? {
        guard let token else { return nil }
        let bits = UInt(bitPattern: token)
        guard bits >> 48 == Self.tokenTag >> 48, bits & 0xF == 0 else { return nil }
        return (bits & (UInt.max >> 16)) >> 4
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Synchronization

/// The live `VMGuestLibHandle`s of this process.
///
/// A C handle is an opaque token, never a pointer to memory: the library looks
/// it up here under a lock and never dereferences what a caller passes in. A
/// NULL, closed or foreign token is simply absent, which the C functions answer
/// with `VMGUESTLIB_ERROR_INVALID_HANDLE`. Tokens are never reused, so a closed
/// handle stays invalid even after many more are opened. Each token has a
/// non-canonical x86-64 address (bit 62 set), so a caller that dereferences one
/// by mistake faults at once instead of reading someone else's memory.
final class HandleRegistry<Handle: AnyObject>: Sendable {
    /// One open handle and the lock that serialises the C calls made on it.
    final class Entry: Sendable {
        private let handle: Mutex<Handle>

        init(_ handle: Handle) {
            self.handle = Mutex(handle)
        }

        /// Runs `body` on the handle while no other thread uses it.
        func withHandle<Result>(_ body: (Handle) throws -> Result) rethrows -> Result {
            try self.handle.withLock { try body($0) }
        }
    }

    private struct State {
        var nextSerial: UInt = 1
        var entries: [UInt: Entry] = [:]
    }

    /// The bits that mark a token; no user-space pointer on x86-64 or arm64 has them.
    private static var tokenTag: UInt { 0x4753_0000_0000_0000 }

    private let state = Mutex(State())

    /// Adds `handle` and returns the token a C caller holds for it.
    func register(_ handle: Handle) -> OpaquePointer {
        let serial = self.state.withLock { state in
            let serial = state.nextSerial
            state.nextSerial += 1
            state.entries[serial] = Entry(handle)
            return serial
        }
        return OpaquePointer(bitPattern: Self.tokenTag | (serial << 4))!
    }

    /// The entry for `token`, or nil when it is NULL, closed or was never issued.
    func entry(for token: OpaquePointer?) -> Entry? {
        guard let serial = Self.serial(of: token) else { return nil }
        return self.state.withLock { $0.entries[serial] }
    }

    /// Removes `token`; calls already running on it finish on their own reference.
    ///
    /// - Returns: true when `token` was open.
    func remove(_ token: OpaquePointer?) -> Bool {
        guard let serial = Self.serial(of: token) else { return false }
        return self.state.withLock { $0.entries.removeValue(forKey: serial) != nil }
    }

    /// The number of open handles.
    var count: Int {
        self.state.withLock { $0.entries.count }
    }

    private static func serial(of token: OpaquePointer?) -> UInt? {
        guard let token else { return nil }
        let bits = UInt(bitPattern: token)
        guard bits & ~(UInt.max >> 16) == Self.tokenTag, bits & 0xF == 0 else { return nil }
        return (bits & (UInt.max >> 16)) >> 4
    }
}

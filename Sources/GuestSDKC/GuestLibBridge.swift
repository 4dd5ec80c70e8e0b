// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The GuestLib calls behind the C functions, with GuestLib's errors turned into `VMGuestLibError` values.
///
/// FIXME: a stand-in until the GuestLib module's handle lands (guestlib branch): it answers as a
/// machine without a hypervisor or endpoint would. Merging that branch replaces these bodies.
enum GuestLibBridge {
    /// The Swift handle a C token stands for.
    final class Handle {}

    /// The VM check of `VMGuestLib_OpenHandle`: nil when a handle may be opened.
    static func checkEnvironment() -> VMGuestLibErrorCode? {
        .notRunningInVM
    }

    /// A new handle with no snapshot.
    static func makeHandle() -> Result<Handle, VMGuestLibErrorCode> {
        .failure(.notRunningInVM)
    }

    /// `guestlib.info.get` into `handle`.
    static func update(_ handle: Handle) -> VMGuestLibErrorCode {
        .other
    }

    /// The session id of the handle's snapshot.
    static func sessionID(_ handle: Handle) -> Result<UInt64, VMGuestLibErrorCode> {
        .failure(.noInfo)
    }

    /// A 32-bit statistic by its wire id.
    static func uint32(_ handle: Handle, statistic: UInt32) -> Result<UInt32, VMGuestLibErrorCode> {
        .failure(.noInfo)
    }

    /// A 64-bit statistic by its wire id.
    static func uint64(_ handle: Handle, statistic: UInt32) -> Result<UInt64, VMGuestLibErrorCode> {
        .failure(.noInfo)
    }

    /// The deprecated host kernel overhead: 0 once the handle holds a snapshot.
    static func hostMemoryKernelOverheadMB(_ handle: Handle) -> Result<UInt64, VMGuestLibErrorCode> {
        .failure(.noInfo)
    }

    /// The 64-bit memory shares, with the fallback to the 32-bit value.
    static func memoryShares64(_ handle: Handle) -> Result<UInt64, VMGuestLibErrorCode> {
        .failure(.noInfo)
    }

    /// The resource pool path bytes, without a NUL.
    static func resourcePoolPath(_ handle: Handle) -> Result<[UInt8], VMGuestLibErrorCode> {
        .failure(.noInfo)
    }

    /// `guestlib.stat.get <encoding> <stat>`: the result code and the reply or failure text.
    static func statGet(encoding: [UInt8], stat: [UInt8]) -> (code: VMGuestLibErrorCode, reply: [UInt8]?) {
        (.notAvailable, nil)
    }

    /// `guestlib.ioctl` with the atomic-update-cookie request.
    static func atomicUpdateCookie(source: [UInt8], destination: [UInt8]) -> (succeeded: Bool, reply: [UInt8]?) {
        (false, nil)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// The open `VMGuestLibHandle`s of this process.
let guestLibHandles = HandleRegistry<GuestLibBridge.Handle>()

/// C `char const *VMGuestLib_GetErrorText(VMGuestLibError error)`: the static text of PROTOCOL.md §8.2.
@_cdecl("VMGuestLib_GetErrorText")
public func VMGuestLib_GetErrorText(_ error: Int32) -> UnsafePointer<CChar> {
    let text = VMGuestLibErrorCode.text(for: error)
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// C `VMGuestLibError VMGuestLib_OpenHandle(VMGuestLibHandle *handle)`: the VM check (`NOT_RUNNING_IN_VM`), then
/// the NULL check (`INVALID_ARG`), then a new handle with no snapshot.
@_cdecl("VMGuestLib_OpenHandle")
public func VMGuestLib_OpenHandle(_ handle: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    switch GuestLibBridge.makeHandle() {
    case .success(let opened):
        guard let handle else { return VMGuestLibErrorCode.invalidArgument.rawValue }
        handle.pointee = guestLibHandles.register(opened)
        return VMGuestLibErrorCode.success.rawValue
    case .failure(let code):
        return code.rawValue
    }
}

/// C `VMGuestLibError VMGuestLib_CloseHandle(VMGuestLibHandle handle)`.
@_cdecl("VMGuestLib_CloseHandle")
public func VMGuestLib_CloseHandle(_ handle: OpaquePointer?) -> Int32 {
    guestLibHandles.remove(handle) ? VMGuestLibErrorCode.success.rawValue : VMGuestLibErrorCode.invalidHandle.rawValue
}

/// C `VMGuestLibError VMGuestLib_UpdateInfo(VMGuestLibHandle handle)`: `guestlib.info.get` into the handle.
@_cdecl("VMGuestLib_UpdateInfo")
public func VMGuestLib_UpdateInfo(_ handle: OpaquePointer?) -> Int32 {
    guard let handle = guestLibHandles.handle(for: handle) else { return VMGuestLibErrorCode.invalidHandle.rawValue }
    return GuestLibBridge.update(handle).rawValue
}

/// C `VMGuestLibError VMGuestLib_GetSessionId(VMGuestLibHandle handle, VMSessionId *id)`.
@_cdecl("VMGuestLib_GetSessionId")
public func VMGuestLib_GetSessionId(_ handle: OpaquePointer?, _ id: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, id) { GuestLibBridge.answer($0.sessionID) }
}

/// The checks every getter makes (PROTOCOL.md §8.3, C1 and C2), then `read` on the handle.
///
/// - Parameters:
///   - handle: the caller's token: NULL, closed or unknown gives `INVALID_HANDLE`.
///   - out: where the value goes: NULL gives `INVALID_ARG`; written only on `SUCCESS`.
///   - read: the GuestLib answer, or its error code (`NO_INFO`, `NOT_AVAILABLE`, ...).
/// - Returns: the `VMGuestLibError` value.
func readStatistic<Value>(
    _ handle: OpaquePointer?, _ out: UnsafeMutablePointer<Value>?,
    _ read: (GuestLibBridge.Handle) -> Result<Value, VMGuestLibErrorCode>
) -> Int32 {
    guard let handle = guestLibHandles.handle(for: handle) else { return VMGuestLibErrorCode.invalidHandle.rawValue }
    guard let out else { return VMGuestLibErrorCode.invalidArgument.rawValue }
    switch read(handle) {
    case .success(let value):
        out.pointee = value
        return VMGuestLibErrorCode.success.rawValue
    case .failure(let code):
        return code.rawValue
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import GuestLib

/// C `VMGuestLibError VMGuestLib_GetHostMemKernOvhdMB(VMGuestLibHandle handle, uint64 *out)`: after the
/// standard checks always `SUCCESS` with 0 (PROTOCOL.md §8.4).
@_cdecl("VMGuestLib_GetHostMemKernOvhdMB")
public func VMGuestLib_GetHostMemKernOvhdMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.hostMemoryKernelOverheadMB) }
}

/// C `VMGuestLibError VMGuestLib_GetMemShares64(VMGuestLibHandle handle, uint64 *out)`: stat id 38, or the
/// 32-bit shares widened when the host does not send id 38 (PROTOCOL.md §8.4).
@_cdecl("VMGuestLib_GetMemShares64")
public func VMGuestLib_GetMemShares64(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.memoryShares64) }
}

/// C `VMGuestLibError VMGuestLib_GetResourcePoolPath(VMGuestLibHandle handle, size_t *bufferSize,
/// char *pathBuffer)`: copies the path with its NUL, or sets `*bufferSize` to the size needed and
/// returns `BUFFER_TOO_SMALL` (PROTOCOL.md §8.4). `*bufferSize` is left unchanged on success.
@_cdecl("VMGuestLib_GetResourcePoolPath")
public func VMGuestLib_GetResourcePoolPath(
    _ handle: OpaquePointer?, _ bufferSize: UnsafeMutablePointer<Int>?, _ pathBuffer: UnsafeMutablePointer<CChar>?
) -> Int32 {
    guard let handle = guestLibHandles.handle(for: handle) else { return VMGuestLibErrorCode.invalidHandle.rawValue }
    guard let bufferSize, let pathBuffer else { return VMGuestLibErrorCode.invalidArgument.rawValue }
    // size_t arrives as Int; a size above Int.max is simply large enough.
    switch handle.resourcePoolPath(bufferSize: Int(clamping: UInt(bitPattern: bufferSize.pointee))) {
    case .success(.bufferTooSmall(let requiredSize)):
        bufferSize.pointee = requiredSize
        return VMGuestLibErrorCode.bufferTooSmall.rawValue
    case .success(.copy(let bytes)):
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress {
                memcpy(pathBuffer, base, bytes.count)
            }
        }
    case .failure(let error):
        return GuestLibBridge.code(error).rawValue
    }
    return VMGuestLibErrorCode.success.rawValue
}

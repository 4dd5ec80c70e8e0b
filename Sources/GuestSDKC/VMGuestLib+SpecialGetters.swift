// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// C `VMGuestLibError VMGuestLib_GetHostMemKernOvhdMB(VMGuestLibHandle handle, uint64 *out)`: after the
/// standard checks always `SUCCESS` with 0 (PROTOCOL.md §8.4).
@_cdecl("VMGuestLib_GetHostMemKernOvhdMB")
public func VMGuestLib_GetHostMemKernOvhdMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.hostMemoryKernelOverheadMB($0) }
}

/// C `VMGuestLibError VMGuestLib_GetMemShares64(VMGuestLibHandle handle, uint64 *out)`: stat id 38, or the
/// 32-bit shares widened when the host does not send id 38 (PROTOCOL.md §8.4).
@_cdecl("VMGuestLib_GetMemShares64")
public func VMGuestLib_GetMemShares64(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.memoryShares64($0) }
}

/// C `VMGuestLibError VMGuestLib_GetResourcePoolPath(VMGuestLibHandle handle, size_t *bufferSize,
/// char *pathBuffer)`: copies the path with its NUL, or sets `*bufferSize` to the size needed and
/// returns `BUFFER_TOO_SMALL` (PROTOCOL.md §8.4). `*bufferSize` is left unchanged on success.
@_cdecl("VMGuestLib_GetResourcePoolPath")
public func VMGuestLib_GetResourcePoolPath(
    _ handle: OpaquePointer?, _ bufferSize: UnsafeMutablePointer<Int>?, _ pathBuffer: UnsafeMutablePointer<CChar>?
) -> Int32 {
    guard let entry = guestLibHandles.entry(for: handle) else { return VMGuestLibErrorCode.invalidHandle.rawValue }
    guard let bufferSize, let pathBuffer else { return VMGuestLibErrorCode.invalidArgument.rawValue }
    let path: [UInt8]
    switch entry.withHandle({ GuestLibBridge.resourcePoolPath($0) }) {
    case .success(let bytes): path = Array(bytes.prefix { $0 != 0 })
    case .failure(let code): return code.rawValue
    }
    let needed = path.count + 1
    guard UInt(bitPattern: bufferSize.pointee) >= UInt(needed) else {
        bufferSize.pointee = needed
        return VMGuestLibErrorCode.bufferTooSmall.rawValue
    }
    path.withUnsafeBytes { source in
        if let base = source.baseAddress {
            memcpy(pathBuffer, base, path.count)
        }
    }
    pathBuffer[path.count] = 0
    return VMGuestLibErrorCode.success.rawValue
}

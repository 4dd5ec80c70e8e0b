// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib

// The statistic getters of PROTOCOL.md §8.4: `VMGuestLibError VMGuestLib_GetX(VMGuestLibHandle handle, T *out)`.
// Each makes the C1/C2 checks of `readStatistic` and returns the GuestLib answer for its stat id.

/// C `VMGuestLibError VMGuestLib_GetCpuReservationMHz(VMGuestLibHandle handle, uint32 *out)`: stat id 1.
@_cdecl("VMGuestLib_GetCpuReservationMHz")
public func VMGuestLib_GetCpuReservationMHz(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .cpuReservationMHz)) }
}

/// C `VMGuestLibError VMGuestLib_GetCpuLimitMHz(VMGuestLibHandle handle, uint32 *out)`: stat id 2.
@_cdecl("VMGuestLib_GetCpuLimitMHz")
public func VMGuestLib_GetCpuLimitMHz(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .cpuLimitMHz)) }
}

/// C `VMGuestLibError VMGuestLib_GetCpuShares(VMGuestLibHandle handle, uint32 *out)`: stat id 3.
@_cdecl("VMGuestLib_GetCpuShares")
public func VMGuestLib_GetCpuShares(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .cpuShares)) }
}

/// C `VMGuestLibError VMGuestLib_GetCpuUsedMs(VMGuestLibHandle handle, uint64 *out)`: stat id 4.
@_cdecl("VMGuestLib_GetCpuUsedMs")
public func VMGuestLib_GetCpuUsedMs(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .cpuUsedMs)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostProcessorSpeed(VMGuestLibHandle handle, uint32 *out)`: stat id 5.
@_cdecl("VMGuestLib_GetHostProcessorSpeed")
public func VMGuestLib_GetHostProcessorSpeed(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .hostProcessorSpeedMHz)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemReservationMB(VMGuestLibHandle handle, uint32 *out)`: stat id 6.
@_cdecl("VMGuestLib_GetMemReservationMB")
public func VMGuestLib_GetMemReservationMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryReservationMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemLimitMB(VMGuestLibHandle handle, uint32 *out)`: stat id 7.
@_cdecl("VMGuestLib_GetMemLimitMB")
public func VMGuestLib_GetMemLimitMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryLimitMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemShares(VMGuestLibHandle handle, uint32 *out)`: stat id 8.
@_cdecl("VMGuestLib_GetMemShares")
public func VMGuestLib_GetMemShares(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryShares)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemMappedMB(VMGuestLibHandle handle, uint32 *out)`: stat id 9.
@_cdecl("VMGuestLib_GetMemMappedMB")
public func VMGuestLib_GetMemMappedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryMappedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemActiveMB(VMGuestLibHandle handle, uint32 *out)`: stat id 10.
@_cdecl("VMGuestLib_GetMemActiveMB")
public func VMGuestLib_GetMemActiveMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryActiveMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemOverheadMB(VMGuestLibHandle handle, uint32 *out)`: stat id 11.
@_cdecl("VMGuestLib_GetMemOverheadMB")
public func VMGuestLib_GetMemOverheadMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryOverheadMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemBalloonedMB(VMGuestLibHandle handle, uint32 *out)`: stat id 12.
@_cdecl("VMGuestLib_GetMemBalloonedMB")
public func VMGuestLib_GetMemBalloonedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryBalloonedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemSwappedMB(VMGuestLibHandle handle, uint32 *out)`: stat id 13.
@_cdecl("VMGuestLib_GetMemSwappedMB")
public func VMGuestLib_GetMemSwappedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memorySwappedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemSharedMB(VMGuestLibHandle handle, uint32 *out)`: stat id 14.
@_cdecl("VMGuestLib_GetMemSharedMB")
public func VMGuestLib_GetMemSharedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memorySharedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemSharedSavedMB(VMGuestLibHandle handle, uint32 *out)`: stat id 15.
@_cdecl("VMGuestLib_GetMemSharedSavedMB")
public func VMGuestLib_GetMemSharedSavedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memorySharedSavedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemUsedMB(VMGuestLibHandle handle, uint32 *out)`: stat id 16.
@_cdecl("VMGuestLib_GetMemUsedMB")
public func VMGuestLib_GetMemUsedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryUsedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetElapsedMs(VMGuestLibHandle handle, uint64 *out)`: stat id 17.
@_cdecl("VMGuestLib_GetElapsedMs")
public func VMGuestLib_GetElapsedMs(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .elapsedMs)) }
}

/// C `VMGuestLibError VMGuestLib_GetCpuStolenMs(VMGuestLibHandle handle, uint64 *out)`: stat id 19.
@_cdecl("VMGuestLib_GetCpuStolenMs")
public func VMGuestLib_GetCpuStolenMs(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .cpuStolenMs)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemTargetSizeMB(VMGuestLibHandle handle, uint64 *out)`: stat id 20.
@_cdecl("VMGuestLib_GetMemTargetSizeMB")
public func VMGuestLib_GetMemTargetSizeMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .memoryTargetSizeMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostNumCpuCores(VMGuestLibHandle handle, uint32 *out)`: stat id 21.
@_cdecl("VMGuestLib_GetHostNumCpuCores")
public func VMGuestLib_GetHostNumCpuCores(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .hostCPUCoreCount)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostCpuUsedMs(VMGuestLibHandle handle, uint64 *out)`: stat id 22.
@_cdecl("VMGuestLib_GetHostCpuUsedMs")
public func VMGuestLib_GetHostCpuUsedMs(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .hostCPUUsedMs)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostMemSwappedMB(VMGuestLibHandle handle, uint64 *out)`: stat id 23.
@_cdecl("VMGuestLib_GetHostMemSwappedMB")
public func VMGuestLib_GetHostMemSwappedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .hostMemorySwappedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostMemSharedMB(VMGuestLibHandle handle, uint64 *out)`: stat id 24.
@_cdecl("VMGuestLib_GetHostMemSharedMB")
public func VMGuestLib_GetHostMemSharedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .hostMemorySharedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostMemUsedMB(VMGuestLibHandle handle, uint64 *out)`: stat id 25.
@_cdecl("VMGuestLib_GetHostMemUsedMB")
public func VMGuestLib_GetHostMemUsedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .hostMemoryUsedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostMemPhysMB(VMGuestLibHandle handle, uint64 *out)`: stat id 26.
@_cdecl("VMGuestLib_GetHostMemPhysMB")
public func VMGuestLib_GetHostMemPhysMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .hostMemoryPhysicalMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostMemPhysFreeMB(VMGuestLibHandle handle, uint64 *out)`: stat id 27.
@_cdecl("VMGuestLib_GetHostMemPhysFreeMB")
public func VMGuestLib_GetHostMemPhysFreeMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .hostMemoryPhysicalFreeMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostMemMappedMB(VMGuestLibHandle handle, uint64 *out)`: stat id 29.
@_cdecl("VMGuestLib_GetHostMemMappedMB")
public func VMGuestLib_GetHostMemMappedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .hostMemoryMappedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetHostMemUnmappedMB(VMGuestLibHandle handle, uint64 *out)`: stat id 30.
@_cdecl("VMGuestLib_GetHostMemUnmappedMB")
public func VMGuestLib_GetHostMemUnmappedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint64Value(of: .hostMemoryUnmappedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemZippedMB(VMGuestLibHandle handle, uint32 *out)`: stat id 31.
@_cdecl("VMGuestLib_GetMemZippedMB")
public func VMGuestLib_GetMemZippedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryZippedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemZipSavedMB(VMGuestLibHandle handle, uint32 *out)`: stat id 32.
@_cdecl("VMGuestLib_GetMemZipSavedMB")
public func VMGuestLib_GetMemZipSavedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryZipSavedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemLLSwappedMB(VMGuestLibHandle handle, uint32 *out)`: stat id 33.
@_cdecl("VMGuestLib_GetMemLLSwappedMB")
public func VMGuestLib_GetMemLLSwappedMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryLLSwappedMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemSwapTargetMB(VMGuestLibHandle handle, uint32 *out)`: stat id 34.
@_cdecl("VMGuestLib_GetMemSwapTargetMB")
public func VMGuestLib_GetMemSwapTargetMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memorySwapTargetMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemBalloonTargetMB(VMGuestLibHandle handle, uint32 *out)`: stat id 35.
@_cdecl("VMGuestLib_GetMemBalloonTargetMB")
public func VMGuestLib_GetMemBalloonTargetMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryBalloonTargetMB)) }
}

/// C `VMGuestLibError VMGuestLib_GetMemBalloonMaxMB(VMGuestLibHandle handle, uint32 *out)`: stat id 36.
@_cdecl("VMGuestLib_GetMemBalloonMaxMB")
public func VMGuestLib_GetMemBalloonMaxMB(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt32>?) -> Int32 {
    readStatistic(handle, out) { GuestLibBridge.answer($0.uint32Value(of: .memoryBalloonMaxMB)) }
}

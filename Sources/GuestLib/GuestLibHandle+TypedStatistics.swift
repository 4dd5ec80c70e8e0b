// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// One typed getter per statistic, each with the checks of `value(of:)`. The special
// cases (`hostMemoryKernelOverheadMB`, `memoryShares64`, `resourcePoolPath`) live beside
// the rules they follow.
extension GuestLibHandle {
    /// `VMGuestLib_GetCpuReservationMHz`: the CPU reservation, in MHz.
    public var cpuReservationMHz: Result<UInt32, GuestLibError> { self.uint32Value(of: .cpuReservationMHz) }

    /// `VMGuestLib_GetCpuLimitMHz`: the CPU limit, in MHz; `0xFFFFFFFF` means unlimited.
    public var cpuLimitMHz: Result<UInt32, GuestLibError> { self.uint32Value(of: .cpuLimitMHz) }

    /// `VMGuestLib_GetCpuShares`: the CPU shares.
    public var cpuShares: Result<UInt32, GuestLibError> { self.uint32Value(of: .cpuShares) }

    /// `VMGuestLib_GetCpuUsedMs`: the CPU time this VM used, in ms.
    public var cpuUsedMs: Result<UInt64, GuestLibError> { self.uint64Value(of: .cpuUsedMs) }

    /// `VMGuestLib_GetHostProcessorSpeed`: the host's processor speed, in MHz.
    public var hostProcessorSpeedMHz: Result<UInt32, GuestLibError> { self.uint32Value(of: .hostProcessorSpeedMHz) }

    /// `VMGuestLib_GetMemReservationMB`: the memory reservation, in MB.
    public var memoryReservationMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryReservationMB) }

    /// `VMGuestLib_GetMemLimitMB`: the memory limit, in MB; `0xFFFFFFFF` means unlimited.
    public var memoryLimitMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryLimitMB) }

    /// `VMGuestLib_GetMemShares`: the memory shares; `notAvailable` when they exceed 32 bits.
    public var memoryShares: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryShares) }

    /// `VMGuestLib_GetMemMappedMB`: the mapped memory, in MB.
    public var memoryMappedMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryMappedMB) }

    /// `VMGuestLib_GetMemActiveMB`: the active memory, in MB.
    public var memoryActiveMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryActiveMB) }

    /// `VMGuestLib_GetMemOverheadMB`: the memory overhead, in MB.
    public var memoryOverheadMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryOverheadMB) }

    /// `VMGuestLib_GetMemBalloonedMB`: the ballooned memory, in MB.
    public var memoryBalloonedMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryBalloonedMB) }

    /// `VMGuestLib_GetMemSwappedMB`: the swapped memory, in MB.
    public var memorySwappedMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memorySwappedMB) }

    /// `VMGuestLib_GetMemSharedMB`: the shared memory, in MB.
    public var memorySharedMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memorySharedMB) }

    /// `VMGuestLib_GetMemSharedSavedMB`: the memory saved by sharing, in MB.
    public var memorySharedSavedMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memorySharedSavedMB) }

    /// `VMGuestLib_GetMemUsedMB`: the used memory, in MB.
    public var memoryUsedMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryUsedMB) }

    /// `VMGuestLib_GetElapsedMs`: the time elapsed in this session, in ms.
    public var elapsedMs: Result<UInt64, GuestLibError> { self.uint64Value(of: .elapsedMs) }

    /// `VMGuestLib_GetCpuStolenMs`: the CPU time stolen from this VM, in ms (V3 only).
    public var cpuStolenMs: Result<UInt64, GuestLibError> { self.uint64Value(of: .cpuStolenMs) }

    /// `VMGuestLib_GetMemTargetSizeMB`: the memory target size, in MB (V3 only).
    public var memoryTargetSizeMB: Result<UInt64, GuestLibError> { self.uint64Value(of: .memoryTargetSizeMB) }

    /// `VMGuestLib_GetHostNumCpuCores`: the host's CPU core count (V3 only, host info).
    public var hostCPUCoreCount: Result<UInt32, GuestLibError> { self.uint32Value(of: .hostCPUCoreCount) }

    /// `VMGuestLib_GetHostCpuUsedMs`: the host's CPU time used, in ms (V3 only, host info).
    public var hostCPUUsedMs: Result<UInt64, GuestLibError> { self.uint64Value(of: .hostCPUUsedMs) }

    /// `VMGuestLib_GetHostMemSwappedMB`: the host's swapped memory, in MB (V3 only, host info).
    public var hostMemorySwappedMB: Result<UInt64, GuestLibError> { self.uint64Value(of: .hostMemorySwappedMB) }

    /// `VMGuestLib_GetHostMemSharedMB`: the host's shared memory, in MB (V3 only, host info).
    public var hostMemorySharedMB: Result<UInt64, GuestLibError> { self.uint64Value(of: .hostMemorySharedMB) }

    /// `VMGuestLib_GetHostMemUsedMB`: the host's used memory, in MB (V3 only, host info).
    public var hostMemoryUsedMB: Result<UInt64, GuestLibError> { self.uint64Value(of: .hostMemoryUsedMB) }

    /// `VMGuestLib_GetHostMemPhysMB`: the host's physical memory, in MB (V3 only, host info).
    public var hostMemoryPhysicalMB: Result<UInt64, GuestLibError> { self.uint64Value(of: .hostMemoryPhysicalMB) }

    /// `VMGuestLib_GetHostMemPhysFreeMB`: the host's free physical memory, in MB (V3 only, host info).
    public var hostMemoryPhysicalFreeMB: Result<UInt64, GuestLibError> {
        self.uint64Value(of: .hostMemoryPhysicalFreeMB)
    }

    /// `VMGuestLib_GetHostMemMappedMB`: the host's mapped memory, in MB (V3 only, host info).
    public var hostMemoryMappedMB: Result<UInt64, GuestLibError> { self.uint64Value(of: .hostMemoryMappedMB) }

    /// `VMGuestLib_GetHostMemUnmappedMB`: the host's unmapped memory, in MB (V3 only, host info).
    public var hostMemoryUnmappedMB: Result<UInt64, GuestLibError> { self.uint64Value(of: .hostMemoryUnmappedMB) }

    /// `VMGuestLib_GetMemZippedMB`: the compressed memory, in MB (V3 only; exported, not in the header).
    public var memoryZippedMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryZippedMB) }

    /// `VMGuestLib_GetMemZipSavedMB`: the memory saved by compression, in MB (V3 only; exported, not in the header).
    public var memoryZipSavedMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryZipSavedMB) }

    /// `VMGuestLib_GetMemLLSwappedMB`: the memory swapped to host cache, in MB (V3 only; exported, not in the header).
    public var memoryLLSwappedMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryLLSwappedMB) }

    /// `VMGuestLib_GetMemSwapTargetMB`: the swap target, in MB (V3 only; exported, not in the header).
    public var memorySwapTargetMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memorySwapTargetMB) }

    /// `VMGuestLib_GetMemBalloonTargetMB`: the balloon target, in MB (V3 only; exported, not in the header).
    public var memoryBalloonTargetMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryBalloonTargetMB) }

    /// `VMGuestLib_GetMemBalloonMaxMB`: the balloon maximum, in MB (V3 only; exported, not in the header).
    public var memoryBalloonMaxMB: Result<UInt32, GuestLibError> { self.uint32Value(of: .memoryBalloonMaxMB) }

    /// The long resource pool path (id 37, `opaque<>`, V3 only), which no SDK getter exposes; its content
    /// conventions are not known (PROTOCOL.md §14).
    public var resourcePoolPathLong: Result<[UInt8], GuestLibError> {
        self.value(of: .resourcePoolPathLong).map { $0.bytesValue ?? [] }
    }
}

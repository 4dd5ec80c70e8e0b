// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib
import GuestRPC

/// What each C getter should answer after an update, read in this process through the
/// Swift GuestLib API from the same host: the C library must agree with it exactly.
struct GuestLibExpectations {
    /// A getter's C name after `VMGuestLib_Get`, and its answer: a C code, and the value on success.
    struct Answer: Equatable {
        var name: String
        var code: Int32
        var value: UInt64?
    }

    /// The getters in the order the C programs print them (stat id order, `MemShares64` last).
    static let getterNames = [
        "CpuReservationMHz", "CpuLimitMHz", "CpuShares", "CpuUsedMs", "HostProcessorSpeed", "MemReservationMB",
        "MemLimitMB", "MemShares", "MemMappedMB", "MemActiveMB", "MemOverheadMB", "MemBalloonedMB", "MemSwappedMB",
        "MemSharedMB", "MemSharedSavedMB", "MemUsedMB", "ElapsedMs", "CpuStolenMs", "MemTargetSizeMB",
        "HostNumCpuCores", "HostCpuUsedMs", "HostMemSwappedMB", "HostMemSharedMB", "HostMemUsedMB", "HostMemPhysMB",
        "HostMemPhysFreeMB", "HostMemKernOvhdMB", "HostMemMappedMB", "HostMemUnmappedMB", "MemZippedMB",
        "MemZipSavedMB", "MemLLSwappedMB", "MemSwapTargetMB", "MemBalloonTargetMB", "MemBalloonMaxMB", "MemShares64",
    ]

    let answers: [Answer]
    let sessionID: UInt64

    /// Updates a Swift handle on the VM behind `socket` and reads every getter.
    init(socket: String) throws {
        let handle = try GuestLibHandle(
            endpoint: .unix(path: socket), isVMwareGuest: { false },
            makeChannel: { try RPCChannelFactory.makeChannel(for: $0, oneShot: true, logger: .disabled) })
        try handle.update()
        self.sessionID = try handle.sessionID.get()
        self.answers = Self.getterNames.map { name in Self.answer(name, handle) }
    }

    private static func answer(_ name: String, _ handle: GuestLibHandle) -> Answer {
        let result: Result<UInt64, GuestLibError>
        switch name {
        case "HostMemKernOvhdMB": result = handle.hostMemoryKernelOverheadMB
        case "MemShares64": result = handle.memoryShares64
        default:
            let id = Self.statisticIDs[name]!
            result =
                id.kind == .uint32
                ? handle.uint32Value(of: id).map(UInt64.init) : handle.uint64Value(of: id)
        }
        switch result {
        case .success(let value): return Answer(name: name, code: 0, value: value)
        case .failure(let error): return Answer(name: name, code: error.cCode, value: nil)
        }
    }

    private static let statisticIDs: [String: StatisticID] = [
        "CpuReservationMHz": .cpuReservationMHz, "CpuLimitMHz": .cpuLimitMHz, "CpuShares": .cpuShares,
        "CpuUsedMs": .cpuUsedMs, "HostProcessorSpeed": .hostProcessorSpeedMHz,
        "MemReservationMB": .memoryReservationMB, "MemLimitMB": .memoryLimitMB, "MemShares": .memoryShares,
        "MemMappedMB": .memoryMappedMB, "MemActiveMB": .memoryActiveMB, "MemOverheadMB": .memoryOverheadMB,
        "MemBalloonedMB": .memoryBalloonedMB, "MemSwappedMB": .memorySwappedMB, "MemSharedMB": .memorySharedMB,
        "MemSharedSavedMB": .memorySharedSavedMB, "MemUsedMB": .memoryUsedMB, "ElapsedMs": .elapsedMs,
        "CpuStolenMs": .cpuStolenMs, "MemTargetSizeMB": .memoryTargetSizeMB, "HostNumCpuCores": .hostCPUCoreCount,
        "HostCpuUsedMs": .hostCPUUsedMs, "HostMemSwappedMB": .hostMemorySwappedMB,
        "HostMemSharedMB": .hostMemorySharedMB, "HostMemUsedMB": .hostMemoryUsedMB,
        "HostMemPhysMB": .hostMemoryPhysicalMB, "HostMemPhysFreeMB": .hostMemoryPhysicalFreeMB,
        "HostMemMappedMB": .hostMemoryMappedMB, "HostMemUnmappedMB": .hostMemoryUnmappedMB,
        "MemZippedMB": .memoryZippedMB, "MemZipSavedMB": .memoryZipSavedMB, "MemLLSwappedMB": .memoryLLSwappedMB,
        "MemSwapTargetMB": .memorySwapTargetMB, "MemBalloonTargetMB": .memoryBalloonTargetMB,
        "MemBalloonMaxMB": .memoryBalloonMaxMB,
    ]

    /// The answer for one getter.
    func answer(_ name: String) -> Answer {
        self.answers.first { $0.name == name }!
    }

    /// The lines error-order prints for the getters: every misuse first, then the answer after an update.
    var errorOrderLines: [String] {
        self.answers.map { answer in
            let value = answer.value.map { " value=\($0)" } ?? ""
            return "\(answer.name) null-handle=8 foreign=8 null-out=9 no-info=5 result=\(answer.code)\(value) closed=8"
        }
    }

    /// The lines guestlib-stats prints for the getters.
    var sampleLines: [String] {
        self.answers.map { answer in
            if let value = answer.value {
                return "\(answer.name): \(value)"
            }
            return "\(answer.name): error \(answer.code) (\(GuestLibError.text(forCode: answer.code)))"
        }
    }
}

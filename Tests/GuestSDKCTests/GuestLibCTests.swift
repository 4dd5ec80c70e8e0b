// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

@Suite("libguestlib from C: the order of checks, the values, handles and heap replies")
struct GuestLibCTests {
    /// A V3 host with every kind of answer: a 300-character path, shares above 32 bits, one statistic invalid.
    static func richConfiguration() -> VMStatisticsConfiguration {
        var configuration = VMStatisticsConfiguration()
        configuration.values.cpuLimitMHz = 4000
        configuration.values.memoryReservationMB = 2048
        configuration.values.memoryShares = 5_000_000_000
        configuration.values.hostCPUCoreCount = 24
        configuration.values.resourcePoolPath = "/" + String(repeating: "p", count: 299)
        configuration.values.unavailableStatistics = [3]
        return configuration
    }

    static let pathLine =
        "ResourcePoolPath null-handle=8 null-size=9 null-buffer=9 small=7 needed=301 exact=0 size-after=301 strlen=300"

    static func runErrorOrder(_ configuration: VMStatisticsConfiguration) throws -> (ProcessResult, [String]) {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("vm", configuration: configuration)
        let program = try libraries.program("Tests/GuestSDKCTests/Programs/error-order.c", flags: ["-lguestlib"])
        let result = try ProcessRunner.run([program.path], environment: libraries.environment(socket: socket))
        let expected = try GuestLibExpectations(socket: socket).errorOrderLines
        return (result, expected)
    }

    @Test func everyGetterChecksHandleThenPointerThenUpdateOnAVersion3Host() throws {
        let (result, expected) = try Self.runErrorOrder(Self.richConfiguration())
        #expect(result.status == 0, "\(result)")
        #expect(Array(result.lines.suffix(36)) == expected)
        #expect(
            result.lines.contains(
                "CpuLimitMHz null-handle=8 foreign=8 null-out=9 no-info=5 result=0 value=4000 closed=8"))
        #expect(result.lines.contains("CpuShares null-handle=8 foreign=8 null-out=9 no-info=5 result=4 closed=8"))
        #expect(result.lines.contains("MemShares null-handle=8 foreign=8 null-out=9 no-info=5 result=4 closed=8"))
        #expect(
            result.lines.contains(
                "MemShares64 null-handle=8 foreign=8 null-out=9 no-info=5 result=0 value=5000000000 closed=8"))
        #expect(
            result.lines.contains(
                "HostMemKernOvhdMB null-handle=8 foreign=8 null-out=9 no-info=5 result=0 value=0 closed=8"))
        #expect(
            result.lines.contains(
                "HostNumCpuCores null-handle=8 foreign=8 null-out=9 no-info=5 result=0 value=24 closed=8"))
    }

    @Test func versionOnlyGettersAnswerUnsupportedVersionOnAVersion2Host() throws {
        var configuration = VMStatisticsConfiguration()
        configuration.host.protocolVersion = .v2
        let (result, expected) = try Self.runErrorOrder(configuration)
        #expect(result.status == 0, "\(result)")
        #expect(Array(result.lines.suffix(36)) == expected)
        #expect(result.lines.contains("CpuStolenMs null-handle=8 foreign=8 null-out=9 no-info=5 result=10 closed=8"))
        #expect(
            result.lines.contains(
                "MemShares64 null-handle=8 foreign=8 null-out=9 no-info=5 result=0 value=40960 closed=8"))
    }

    @Test func hostCountersAnswerNotAvailableWhenHostInfoIsOff() throws {
        var configuration = VMStatisticsConfiguration()
        configuration.host.isHostInfoEnabled = false
        let (result, expected) = try Self.runErrorOrder(configuration)
        #expect(result.status == 0, "\(result)")
        #expect(Array(result.lines.suffix(36)) == expected)
        #expect(result.lines.contains("HostMemPhysMB null-handle=8 foreign=8 null-out=9 no-info=5 result=4 closed=8"))
    }

    @Test func resourcePoolPathReportsTheSizeItNeedsAndLeavesItOnSuccess() throws {
        let (result, _) = try Self.runErrorOrder(Self.richConfiguration())
        #expect(result.lines.contains(Self.pathLine), "\(result)")
    }

    @Test func nullClosedAndForeignHandlesAnswerInvalidHandle() throws {
        let (result, _) = try Self.runErrorOrder(Self.richConfiguration())
        #expect(result.status == 0, "\(result)")
        #expect(
            Array(result.lines.prefix(4)) == [
                "OpenHandle null=9",
                "CloseHandle open=0 first=0 second=8 null=8 foreign=8 made-up=8",
                "UpdateInfo null=8 foreign=8 closed=8",
                "SessionId no-info=5 update=0 null-out=9 result=0 nonzero=1",
            ])
    }

    @Test func statGetHandsBackHeapRepliesAndChecksItsArguments() throws {
        let (result, _) = try Self.runErrorOrder(Self.richConfiguration())
        #expect(
            result.lines.contains(
                "StatGet null-encoding=9 null-reply=9 null-size=9 long=7 session=0 size-matches=1 unknown=4 reply=Unknown stat"
            ), "\(result)")
    }

    @Test func atomicUpdateCookieReturnsTrueWhenTheHostAnswers() throws {
        let (result, _) = try Self.runErrorOrder(Self.richConfiguration())
        #expect(
            result.lines.contains("AtomicUpdateCookie null=0 long=0 first=1 reply=0 stale=1 reply=1 matching=1"),
            "\(result)")
    }

    @Test func errorTextsAreTheGuestSDKsExactly() throws {
        let (result, _) = try Self.runErrorOrder(Self.richConfiguration())
        let texts = result.lines.filter { $0.hasPrefix("ErrorText ") }
        #expect(
            texts == [
                "ErrorText -1: Other error",
                "ErrorText 0: No error",
                "ErrorText 1: Other error",
                "ErrorText 2: VMware Guest API is not running in a Virtual Machine",
                "ErrorText 3: VMware Guest API is not enabled on the host",
                "ErrorText 4: This value is not available on this host",
                "ErrorText 5: VMGuestLib_UpdateInfo() has not been called",
                "ErrorText 6: There is not enough system memory",
                "ErrorText 7: The provided memory buffer is too small",
                "ErrorText 8: The provided handle is invalid",
                "ErrorText 9: One or more arguments were invalid",
                "ErrorText 10: Host does not support this request.",
                "ErrorText 11: Other error",
            ])
    }

    @Test func eightThreadsUpdateAndReadOneHandle() throws {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("vm")
        let program = try libraries.program(
            "Tests/GuestSDKCTests/Programs/threads.c", flags: ["-lguestlib", "-lpthread"])
        let result = try ProcessRunner.run([program.path], environment: libraries.environment(socket: socket))
        #expect(result.status == 0, "\(result)")
        #expect(result.lines == ["ok 7200"])
    }

    @Test(arguments: ["auto", "backdoor", "carrier-pigeon:1"])
    func openHandleWithoutAHostAnswersNotRunningInVM(endpoint: String) throws {
        let libraries = try CLibraries.shared.get()
        let program = try libraries.program("Tests/GuestSDKCTests/Programs/pkgconfig.c", flags: ["-lguestlib"])
        var environment = libraries.environment(socket: nil)
        environment["GUESTSDK_RPC"] = endpoint
        let result = try ProcessRunner.run([program.path], environment: environment)
        #expect(result.status == 1)
        #expect(result.lines == ["error: VMware Guest API is not running in a Virtual Machine"])
    }
}

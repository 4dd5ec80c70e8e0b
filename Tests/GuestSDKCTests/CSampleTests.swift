// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

@Suite("The C samples, built with gcc, against a host agent")
struct CSampleTests {
    @Test func statisticsSampleLoadsTheLibraryByNameAndPrintsTheHostsValues() throws {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("web", configuration: GuestLibCTests.richConfiguration())
        // Linked with -ldl only: every function comes from dlopen("libvmGuestLib.so") and dlsym.
        let program = try libraries.program("samples/c/guestlib-stats.c", flags: ["-ldl"])
        let result = try ProcessRunner.run(
            [program.path, "-n", "2", "-i", "0", "-s", "session"], environment: libraries.environment(socket: socket))
        #expect(result.status == 0, "\(result)")

        let expectations = try GuestLibExpectations(socket: socket)
        let round =
            [String(format: "SessionId: 0x%016llx", expectations.sessionID)] + expectations.sampleLines
            + ["ResourcePoolPath: /" + String(repeating: "p", count: 299)]
        let lines = result.lines.filter { !$0.hasPrefix("StatGet session") }
        #expect(lines == ["-- round 1"] + round + ["-- round 2"] + round)
        #expect(result.lines.contains("CpuLimitMHz: 4000"))
        #expect(result.lines.contains("MemReservationMB: 2048"))
        #expect(result.lines.filter { $0.hasPrefix("StatGet session (") }.count == 2)
    }

    @Test func statisticsSampleLinksNothingButLibdl() throws {
        let libraries = try CLibraries.shared.get()
        let program = try libraries.program("samples/c/guestlib-stats.c", flags: ["-ldl"])
        let needed = try ExportedSymbolTests.dynamicSection(program.path).filter { $0.contains("(NEEDED)") }
        #expect(!needed.contains { $0.contains("guestlib") || $0.contains("GuestLib") })
    }

    @Test func appMonitorSampleHeartbeatsAndTheVMTurnsGreen() throws {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("web")
        let program = try libraries.program("samples/c/appmonitor-heartbeat.c", flags: ["-lappmonitorlib"])
        #expect(try ExportedSymbolTests.dynamicSection(program.path).contains { $0.hasSuffix("[libappmonitor.so.0]") })

        let result = try ProcessRunner.run(
            [program.path, "-n", "3", "-i", "0", "-k"], environment: libraries.environment(socket: socket))
        #expect(result.status == 0, "\(result)")
        #expect(
            result.lines == [
                "enable: 0", "isEnabled: 1", "markActive: 0", "status: green", "markActive: 0", "status: green",
                "markActive: 0", "status: green",
            ])
        #expect(host.appStatus(ofVM: "web") == "green")
    }

    @Test func appMonitorSampleDisablesAtTheEndAndTheVMTurnsGray() throws {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("web")
        let program = try libraries.program("samples/c/appmonitor-heartbeat.c", flags: ["-lappmonitorlib"])
        let result = try ProcessRunner.run(
            [program.path, "-n", "1", "-i", "0"], environment: libraries.environment(socket: socket))
        #expect(result.status == 0, "\(result)")
        #expect(
            result.lines == [
                "enable: 0", "isEnabled: 1", "markActive: 0", "status: green", "disable: 0", "status: gray",
            ])
        #expect(host.appStatus(ofVM: "web") == "gray")
    }

    @Test func pythonCtypesLoadsBothLibrariesByName() throws {
        let libraries = try CLibraries.shared.get()
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("py", configuration: GuestLibCTests.richConfiguration())
        let script = CLibraries.packageRoot.appendingPathComponent("Tests/GuestSDKCTests/Programs/ctypes-stats.py")
        let result = try ProcessRunner.run(
            ["python3", script.path], environment: libraries.environment(socket: socket))
        #expect(result.status == 0, "\(result)")
        #expect(
            result.lines == [
                "open: 0", "update: 0", "CpuLimitMHz: 0 4000", "MemShares64: 0 5000000000", "close: 0",
                "closed: 8 The provided handle is invalid", "enable: 0", "markActive: 0", "status: green",
            ])
        #expect(host.appStatus(ofVM: "py") == "green")
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Testing

@Suite("The two libraries export exactly the Guest SDK's functions and need only the C runtime")
struct ExportedSymbolTests {
    /// The global symbols a library defines in its dynamic symbol table.
    static func exportedSymbols(_ path: String) throws -> [String] {
        let result = try ProcessRunner.run(["nm", "-D", "--defined-only", "--extern-only", path])
        #expect(result.status == 0, "\(result)")
        return result.lines.compactMap { $0.split(separator: " ").last.map(String.init) }.sorted()
    }

    /// The names listed in one of `Sources/GuestSDKC/exports/*.symbols`.
    static func expectedSymbols(_ file: String) throws -> [String] {
        let url = CLibraries.packageRoot.appendingPathComponent("Sources/GuestSDKC/exports/\(file)")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("#") && !$0.isEmpty }.sorted()
    }

    static func dynamicSection(_ path: String) throws -> [String] {
        let result = try ProcessRunner.run(["readelf", "-d", path])
        #expect(result.status == 0, "\(result)")
        return result.lines
    }

    @Test func guestLibExportsExactlyTheFortyFiveFunctions() throws {
        let libraries = try CLibraries.shared.get()
        let expected = try Self.expectedSymbols("vmGuestLib.symbols")
        #expect(expected.count == 45)
        #expect(Set(expected).count == 45)
        #expect(try Self.exportedSymbols(libraries.library("libguestlib.so.0.0.0")) == expected)
    }

    @Test func appMonitorExportsExactlyTheSevenFunctions() throws {
        let libraries = try CLibraries.shared.get()
        let expected = try Self.expectedSymbols("vmGuestAppMonitorLib.symbols")
        #expect(
            expected == [
                "VMGuestAppMonitor_Disable", "VMGuestAppMonitor_Enable", "VMGuestAppMonitor_Free",
                "VMGuestAppMonitor_GetAppStatus", "VMGuestAppMonitor_IsEnabled", "VMGuestAppMonitor_MarkActive",
                "VMGuestAppMonitor_PostAppState",
            ])
        #expect(try Self.exportedSymbols(libraries.library("libappmonitor.so.0.0.0")) == expected)
    }

    @Test func guestLibSymbolListHoldsEveryFunctionOfTheProtocol() throws {
        let getters = [
            "CpuReservationMHz", "CpuLimitMHz", "CpuShares", "CpuUsedMs", "HostProcessorSpeed", "MemReservationMB",
            "MemLimitMB", "MemShares", "MemMappedMB", "MemActiveMB", "MemOverheadMB", "MemBalloonedMB",
            "MemSwappedMB", "MemSharedMB", "MemSharedSavedMB", "MemUsedMB", "ElapsedMs", "ResourcePoolPath",
            "CpuStolenMs", "MemTargetSizeMB", "HostNumCpuCores", "HostCpuUsedMs", "HostMemSwappedMB",
            "HostMemSharedMB", "HostMemUsedMB", "HostMemPhysMB", "HostMemPhysFreeMB", "HostMemKernOvhdMB",
            "HostMemMappedMB", "HostMemUnmappedMB", "MemShares64", "MemZippedMB", "MemZipSavedMB",
            "MemLLSwappedMB", "MemSwapTargetMB", "MemBalloonTargetMB", "MemBalloonMaxMB", "SessionId",
            "ErrorText",
        ].map { "VMGuestLib_Get" + $0 }
        let others = ["OpenHandle", "CloseHandle", "UpdateInfo", "StatGet", "StatFree", "AtomicUpdateCookie"]
            .map { "VMGuestLib_" + $0 }
        #expect(try Self.expectedSymbols("vmGuestLib.symbols") == (getters + others).sorted())
    }

    @Test func librariesNeedNoSwiftFoundationOrGlibLibrary() throws {
        let libraries = try CLibraries.shared.get()
        let allowed: Set = ["libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2"]
        for name in ["libguestlib.so.0.0.0", "libappmonitor.so.0.0.0"] {
            let needed = try Self.dynamicSection(libraries.library(name)).filter { $0.contains("(NEEDED)") }
                .compactMap { line in line.split(separator: "[").last.map { String($0.dropLast()) } }
            #expect(!needed.isEmpty)
            #expect(Set(needed).isSubset(of: allowed), "\(name) needs \(needed)")
        }
    }

    /// Foundation linked in statically brought 50 MB of code and ICU data into each library.
    /// The debug libraries keep their symbol tables, so Foundation's would show by module name.
    @Test func librariesLinkNoFoundation() throws {
        let libraries = try CLibraries.shared.get()
        let foundationMarks = ["10Foundation", "20FoundationEssentials", "30FoundationInternationalization", "icudt"]
        for name in ["libguestlib.so.0.0.0", "libappmonitor.so.0.0.0"] {
            let symbols = try ProcessRunner.run(["nm", libraries.library(name)])
            #expect(symbols.status == 0, "\(symbols)")
            #expect(symbols.lines.count > 1000, "\(name) has no symbol table to check")
            let foundation = symbols.lines.filter { line in foundationMarks.contains { line.contains($0) } }
            #expect(foundation.isEmpty, "\(name) links Foundation: \(foundation.prefix(5))")
            let size = try FileManager.default.attributesOfItem(atPath: libraries.library(name))[.size] as? Int
            #expect((size ?? .max) < 20_000_000, "\(name) is \(size ?? -1) bytes")
        }
    }

    @Test func sonamesAreTheOnesProgramsRecord() throws {
        let libraries = try CLibraries.shared.get()
        #expect(
            try Self.dynamicSection(libraries.library("libguestlib.so.0.0.0")).contains {
                $0.contains("(SONAME)") && $0.hasSuffix("[libguestlib.so.0]")
            })
        #expect(
            try Self.dynamicSection(libraries.library("libappmonitor.so.0.0.0")).contains {
                $0.contains("(SONAME)") && $0.hasSuffix("[libappmonitor.so.0]")
            })
    }

    @Test func everyNameProgramsLoadLeadsToTheRightLibrary() throws {
        let libraries = try CLibraries.shared.get()
        let names = [
            "libvmGuestLib.so": "libguestlib.so.0.0.0", "libguestlib.so.0": "libguestlib.so.0.0.0",
            "libguestlib.so": "libguestlib.so.0.0.0", "libappmonitorlib.so": "libappmonitor.so.0.0.0",
            "libappmonitor.so.0": "libappmonitor.so.0.0.0", "libappmonitor.so": "libappmonitor.so.0.0.0",
        ]
        for (name, target) in names {
            let resolved = URL(fileURLWithPath: libraries.library(name)).resolvingSymlinksInPath().lastPathComponent
            #expect(resolved == target, "\(name)")
        }
    }

    @Test func appMonitorLibraryCarriesItsComponentVersion() throws {
        let libraries = try CLibraries.shared.get()
        let result = try ProcessRunner.run(["readelf", "-p", ".modinfo", libraries.library("libappmonitor.so.0.0.0")])
        #expect(result.lines.contains { $0.hasSuffix("]  version=2.0.0") }, "\(result)")
    }

    /// Debian's open-vm-tools libguestlib.so.0, unpacked by scripts/setup for the interoperability tests.
    static let referenceLibrary: String? = {
        let directory = CLibraries.packageRoot.appendingPathComponent(".build/peers/open-vm-tools/usr/lib")
        let architectures = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return architectures.map {
            directory.appendingPathComponent($0).appendingPathComponent("libguestlib.so.0").path
        }
        .first { FileManager.default.fileExists(atPath: $0) }
    }()

    @Test(.enabled(if: Self.referenceLibrary != nil, "scripts/setup unpacks open-vm-tools into .build/peers"))
    func guestLibExportsWhatDebiansLibguestlibExports() throws {
        let reference = try #require(Self.referenceLibrary)
        let theirs = try Self.exportedSymbols(reference).filter { $0.hasPrefix("VMGuestLib_") }
        #expect(theirs.count == 45)
        #expect(theirs == (try Self.expectedSymbols("vmGuestLib.symbols")))
        #expect(
            try Self.dynamicSection(reference).contains {
                $0.contains("(SONAME)") && $0.hasSuffix("[libguestlib.so.0]")
            })
    }
}

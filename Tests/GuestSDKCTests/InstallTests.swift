// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

@Suite("scripts/install and scripts/uninstall into a temporary prefix")
struct InstallTests {
    static let installed = [
        "include/libappmonitor/vmGuestAppMonitorLib.h", "include/vmGuestLib/includeCheck.h",
        "include/vmGuestLib/vmGuestLib.h", "include/vmGuestLib/vmSessionId.h", "include/vmGuestLib/vm_basic_types.h",
        "lib/libappmonitor.so", "lib/libappmonitor.so.0", "lib/libappmonitor.so.0.0.0", "lib/libappmonitorlib.so",
        "lib/libguestlib.so", "lib/libguestlib.so.0", "lib/libguestlib.so.0.0.0", "lib/libvmGuestLib.so",
        "lib/pkgconfig/appmonitor.pc", "lib/pkgconfig/vmguestlib.pc", "share/guestsdk/install-manifest",
    ]

    /// Every file and link under `root`, relative to it, sorted.
    static func tree(_ root: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var paths: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = root.appendingPathComponent(path).path
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) != nil
                || (FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) && !isDirectory.boolValue)
            {
                paths.append(path)
            }
        }
        return paths.sorted()
    }

    /// Installs the libraries, headers and pkg-config files (not the tools) of this test run into `prefix`.
    static func install(into prefix: URL, _ libraries: CLibraries) throws {
        let result = try ProcessRunner.run([
            CLibraries.packageRoot.appendingPathComponent("scripts/install").path, "--prefix", prefix.path, "--from",
            libraries.libraryDirectory.path, "--without-tools",
        ])
        #expect(result.status == 0, "\(result)")
    }

    @Test func programBuiltWithPkgConfigFindsAndRunsTheInstalledLibrary() throws {
        let libraries = try CLibraries.shared.get()
        let prefix = libraries.workDirectory.appendingPathComponent("prefix-pkgconfig", isDirectory: true)
        try Self.install(into: prefix, libraries)
        let pkgConfig = ["PKG_CONFIG_PATH": prefix.appendingPathComponent("lib/pkgconfig").path]
        let flags = try ProcessRunner.run(["pkg-config", "--cflags", "--libs", "vmguestlib"], environment: pkgConfig)
        #expect(flags.status == 0, "\(flags)")
        #expect(
            flags.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                == "-I\(prefix.path)/include/vmGuestLib -L\(prefix.path)/lib -lguestlib")
        let version = try ProcessRunner.run(
            ["pkg-config", "--modversion", "vmguestlib", "appmonitor"], environment: pkgConfig)
        #expect(version.lines == ["13.1.0", "13.1.0"])

        let program = libraries.workDirectory.appendingPathComponent("pkgconfig-installed").path
        let source = CLibraries.packageRoot.appendingPathComponent("Tests/GuestSDKCTests/Programs/pkgconfig.c").path
        let build = try ProcessRunner.run(
            ["gcc", "-Wall", "-Werror", source, "-o", program, "-Wl,-rpath," + prefix.path + "/lib"]
                + flags.standardOutput.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty })
        #expect(build.status == 0, "\(build)")

        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("installed", configuration: GuestLibCTests.richConfiguration())
        // No LD_LIBRARY_PATH: the program finds libguestlib.so.0 in the prefix through its rpath.
        let result = try ProcessRunner.run([program], environment: ["GUESTSDK_RPC": "unix:" + socket])
        #expect(result.status == 0, "\(result)")
        #expect(result.lines == ["CpuLimitMHz: 4000", "ResourcePoolPath: /" + String(repeating: "p", count: 299)])
    }

    @Test func installWritesEveryNameAndUninstallRemovesExactlyThat() throws {
        let libraries = try CLibraries.shared.get()
        let prefix = libraries.workDirectory.appendingPathComponent("prefix-manifest", isDirectory: true)
        try FileManager.default.createDirectory(
            at: prefix.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try Data("kept\n".utf8).write(to: prefix.appendingPathComponent("lib/unrelated.so"))
        try Self.install(into: prefix, libraries)
        #expect(Self.tree(prefix) == (Self.installed + ["lib/unrelated.so"]).sorted())

        let manifest = try String(
            contentsOf: prefix.appendingPathComponent("share/guestsdk/install-manifest"), encoding: .utf8)
        #expect(!manifest.contains("unrelated.so"))

        let result = try ProcessRunner.run([
            CLibraries.packageRoot.appendingPathComponent("scripts/uninstall").path, "--prefix", prefix.path,
        ])
        #expect(result.status == 0, "\(result)")
        #expect(Self.tree(prefix) == ["lib/unrelated.so"])
        #expect(!FileManager.default.fileExists(atPath: prefix.appendingPathComponent("include").path))
        #expect(!FileManager.default.fileExists(atPath: prefix.appendingPathComponent("share").path))
    }

    @Test func installRefusesToOverwriteAFileItDidNotWrite() throws {
        let libraries = try CLibraries.shared.get()
        let prefix = libraries.workDirectory.appendingPathComponent("prefix-foreign", isDirectory: true)
        try FileManager.default.createDirectory(
            at: prefix.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try Data("someone else's\n".utf8).write(to: prefix.appendingPathComponent("lib/libguestlib.so.0"))
        let result = try ProcessRunner.run([
            CLibraries.packageRoot.appendingPathComponent("scripts/install").path, "--prefix", prefix.path, "--from",
            libraries.libraryDirectory.path, "--without-tools",
        ])
        #expect(result.status == 1)
        #expect(result.standardError.contains("lib/libguestlib.so.0 exists and was not installed by GuestSDK"))
        #expect(
            try String(contentsOf: prefix.appendingPathComponent("lib/libguestlib.so.0"), encoding: .utf8)
                == "someone else's\n")
    }

    /// The dynamic libraries `path` needs, as ldd names them (`libc.so.6`, `/lib64/ld-linux-x86-64.so.2`).
    static func neededLibraries(_ path: String) throws -> [String] {
        let result = try ProcessRunner.run(["ldd", path])
        #expect(result.status == 0, "\(result)")
        return result.lines.compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map { String($0) }
        }
    }

    /// The debug build's objects are compiled for the dynamic runtime, so the static tool has a
    /// scratch path of its own beside this test build's (`<scratch>/static-tools`); runs after the
    /// first only relink. One tool (no HostAgent) keeps the first build near half a minute; the
    /// release build of all six is checked the same way by scripts/build-tools itself.
    @Test func installedToolNeedsNoSwiftRuntimeLibrary() throws {
        let libraries = try CLibraries.shared.get()
        let binDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let scratch = binDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("static-tools", isDirectory: true)
        let tools = libraries.workDirectory.appendingPathComponent("tools", isDirectory: true)
        let build = try ProcessRunner.run(
            [
                CLibraries.packageRoot.appendingPathComponent("scripts/build-tools").path, "--configuration", "debug",
                "--scratch-path", scratch.path, "--product", "vmware-appmonitor", "--output", tools.path, "--jobs", "1",
            ],
            timeout: 900)
        #expect(build.status == 0, "\(build)")

        let prefix = libraries.workDirectory.appendingPathComponent("prefix-tools", isDirectory: true)
        let install = try ProcessRunner.run([
            CLibraries.packageRoot.appendingPathComponent("scripts/install").path, "--prefix", prefix.path, "--from",
            libraries.libraryDirectory.path, "--tools-from", tools.path,
        ])
        #expect(install.status == 0, "\(install)")
        #expect(Self.tree(prefix) == (Self.installed + ["bin/vmware-appmonitor"]).sorted())

        let tool = prefix.appendingPathComponent("bin/vmware-appmonitor").path
        let needed = try Self.neededLibraries(tool)
        #expect(needed.contains("libc.so.6"), "\(needed)")
        #expect(!needed.contains { $0.hasPrefix("libswift") || $0.hasPrefix("libFoundation") }, "\(needed)")
        // The same tool from this test build, linked dynamically, is what the check tells apart.
        let dynamic = try Self.neededLibraries(binDirectory.appendingPathComponent("vmware-appmonitor").path)
        #expect(dynamic.contains("libswiftCore.so"), "\(dynamic)")

        // Runs with an empty environment: nothing tells the loader where the Swift runtime is.
        let help = try ProcessRunner.run(["-i", tool, "--help"])
        #expect(help.status == 0, "\(help)")
        #expect(help.lines.first?.hasPrefix("Usage: vmware-appmonitor [--json] {enable | disable") == true)

        let uninstall = try ProcessRunner.run([
            CLibraries.packageRoot.appendingPathComponent("scripts/uninstall").path, "--prefix", prefix.path,
        ])
        #expect(uninstall.status == 0, "\(uninstall)")
        #expect(Self.tree(prefix) == [])
    }
}

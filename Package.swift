// swift-tools-version:6.0
// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import PackageDescription

let package = Package(
    name: "GuestSDK",
    products: [
        .library(name: "GuestRPC", targets: ["GuestRPC"]),
        .library(name: "GuestLib", targets: ["GuestLib"]),
        .library(name: "AppMonitor", targets: ["AppMonitor"]),
        .library(name: "HostAgent", targets: ["HostAgent"]),
        .executable(name: "vmguestlibtest", targets: ["vmguestlibtest"]),
        .executable(name: "vmware-appmonitor", targets: ["vmware-appmonitor"]),
        .executable(name: "appmonitor-sample", targets: ["appmonitor-sample"]),
        .executable(name: "checksystem", targets: ["checksystem"]),
        .executable(name: "guestsdk-host", targets: ["guestsdk-host"]),
        .executable(name: "guestsdk", targets: ["guestsdk"]),
        .executable(name: "guestsdk-bench", targets: ["guestsdk-bench"]),
    ],
    targets: [
        // Libraries, bottom layer first. A module imports only the ones above it.
        .target(name: "CPlatform"),
        .target(name: "GuestRPC", dependencies: ["CPlatform"]),
        .target(name: "GuestLib", dependencies: ["GuestRPC"]),
        .target(name: "AppMonitor", dependencies: ["GuestRPC"]),
        .target(
            name: "GuestSDKC",
            dependencies: ["GuestLib", "AppMonitor"],
            // The C headers and export lists; scripts/build-clibs links the two .so files from this target.
            exclude: ["include", "exports"]
        ),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),
        .target(
            name: "HostAgent",
            dependencies: ["CPlatform", "GuestRPC", "GuestLib", "CSQLite", "CMicroHTTPD", "CLibUV"]
        ),

        // Executables: argument parsing and output only.
        .executableTarget(name: "vmguestlibtest", dependencies: ["GuestLib"]),
        .executableTarget(name: "vmware-appmonitor", dependencies: ["AppMonitor"]),
        .executableTarget(name: "appmonitor-sample", dependencies: ["AppMonitor"]),
        .executableTarget(name: "checksystem", dependencies: ["GuestRPC"]),
        .executableTarget(name: "guestsdk-host", dependencies: ["HostAgent"]),
        .executableTarget(
            name: "guestsdk",
            dependencies: ["GuestRPC", "GuestLib", "AppMonitor", "HostAgent"]
        ),
        .executableTarget(
            name: "guestsdk-bench",
            dependencies: ["GuestRPC", "GuestLib", "AppMonitor", "HostAgent", "XDRReference", "UnixPingPong"]
        ),

        // An independent XDR codec on Debian's libtirpc: the cross-check for the tests and the benchmark baseline.
        .target(
            name: "XDRReference",
            path: "Tests/XDRReference",
            cSettings: [.unsafeFlags(["-I/usr/include/tirpc"])],
            linkerSettings: [.linkedLibrary("tirpc")]
        ),
        // A C ping-pong over a Unix socket: the baseline of the update-roundtrip benchmark.
        .target(name: "UnixPingPong", path: "Tests/UnixPingPong"),

        // Tests, one target per library.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GuestRPCTests", dependencies: ["GuestRPC", "TestSupport"]),
        .testTarget(name: "GuestLibTests", dependencies: ["GuestLib", "HostAgent", "XDRReference"]),
        .testTarget(name: "AppMonitorTests", dependencies: ["AppMonitor", "HostAgent"]),
        .testTarget(name: "HostAgentTests", dependencies: ["HostAgent", "GuestLib", "AppMonitor", "TestSupport"]),
        .testTarget(
            name: "GuestSDKCTests",
            dependencies: ["GuestSDKC", "GuestLib", "AppMonitor", "HostAgent"],
            // C programs the tests compile with gcc against the built libraries.
            exclude: ["Programs"]
        ),
    ],
    swiftLanguageModes: [.v5]
)

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Testing

@Suite("vmGuestLib.h and vmGuestAppMonitorLib.h compile as C and C++ with the Guest SDK's types")
struct HeaderTests {
    static let source = CLibraries.packageRoot.appendingPathComponent("Tests/GuestSDKCTests/Programs/headers.c").path

    @Test(arguments: ["c89", "c99", "c11"])
    func headersCompileAsCWithEveryWarningAnError(standard: String) throws {
        let libraries = try CLibraries.shared.get()
        let result = try ProcessRunner.run(
            ["gcc", "-std=\(standard)", "-pedantic", "-Wall", "-Wextra", "-Werror"] + libraries.includeFlags
                + ["-c", Self.source, "-o", "/dev/null"])
        #expect(result.status == 0, "\(result)")
    }

    @Test(arguments: ["c++98", "c++11", "c++17"])
    func headersCompileAndLinkAsCPlusPlus(standard: String) throws {
        let libraries = try CLibraries.shared.get()
        let output = libraries.workDirectory.appendingPathComponent("headers-\(standard)").path
        let result = try ProcessRunner.run(
            ["g++", "-x", "c++", "-std=\(standard)", "-Wall", "-Wextra", "-Werror"] + libraries.includeFlags
                + [Self.source, "-o", output, "-L" + libraries.libraryDirectory.path, "-lguestlib", "-lappmonitor"])
        #expect(result.status == 0, "\(result)")
    }

    @Test func deprecatedKernelOverheadGetterWarns() throws {
        let libraries = try CLibraries.shared.get()
        let source = CLibraries.packageRoot.appendingPathComponent("Tests/GuestSDKCTests/Programs/deprecated.c").path
        let result = try ProcessRunner.run(
            ["gcc", "-Werror=deprecated-declarations"] + libraries.includeFlags + ["-c", source, "-o", "/dev/null"])
        #expect(result.status != 0)
        // gcc quotes the name with typographic quotes in a UTF-8 locale, ASCII ones otherwise.
        #expect(result.standardError.contains("VMGuestLib_GetHostMemKernOvhdMB"), "\(result)")
        #expect(result.standardError.contains("is deprecated [-Werror=deprecated-declarations]"), "\(result)")
    }
}

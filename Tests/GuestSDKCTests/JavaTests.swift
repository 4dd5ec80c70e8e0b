// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Synchronization
import Testing

@Suite("The Java binding through JNI, built with Debian's JDK")
struct JavaTests {
    /// The jar and the JNI glue, built once per test run by java/build.
    static let built: Result<URL, ProcessRunError> = Result {
        let libraries = try CLibraries.shared.get()
        let output = libraries.workDirectory.appendingPathComponent("java", isDirectory: true)
        let result = try ProcessRunner.run(
            [
                CLibraries.packageRoot.appendingPathComponent("java/build").path, "--clibs",
                libraries.libraryDirectory.path, "--output", output.path,
            ], timeout: 300)
        guard result.status == 0 else { throw ProcessRunError(command: ["java/build"], reason: "\(result)") }
        return output
    }.mapError { $0 as? ProcessRunError ?? ProcessRunError(command: ["java/build"], reason: "\($0)") }

    static func runJava(_ mainClass: String, _ arguments: [String], socket: String) throws -> ProcessResult {
        let libraries = try CLibraries.shared.get()
        let java = try Self.built.get()
        return try ProcessRunner.run(
            [
                "java", "-Djava.library.path=" + java.path, "-cp", java.appendingPathComponent("guestsdk.jar").path,
                mainClass,
            ] + arguments, environment: libraries.environment(socket: socket))
    }

    @Test func heartbeatSampleTurnsTheVMGreen() throws {
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("java-app")
        #expect(host.appStatus(ofVM: "java-app") == "gray")
        let result = try Self.runJava(
            "com.guestsdk.samples.Heartbeat", ["--beats", "2", "--interval", "0", "--keep"], socket: socket)
        #expect(result.status == 0, "\(result)")
        #expect(
            result.lines == [
                "enable: SUCCESS", "isEnabled: true", "markActive: SUCCESS", "status: green", "markActive: SUCCESS",
                "status: green",
            ])
        #expect(host.appStatus(ofVM: "java-app") == "green")
    }

    @Test func statsSampleReadsTheHostsValues() throws {
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("java-stats", configuration: GuestLibCTests.richConfiguration())
        let result = try Self.runJava("com.guestsdk.samples.Stats", [], socket: socket)
        #expect(result.status == 0, "\(result)")
        let expectations = try GuestLibExpectations(socket: socket)
        #expect(
            result.lines
                == [String(format: "SessionId: 0x%016llx", expectations.sessionID)] + expectations.sampleLines
                + ["ResourcePoolPath: /" + String(repeating: "p", count: 299)])
    }

    @Test func glueLibraryExportsOnlyItsJNIFunctions() throws {
        let java = try Self.built.get()
        let symbols = try ExportedSymbolTests.exportedSymbols(java.appendingPathComponent("libguestsdk_jni.so").path)
        #expect(symbols.count == 14)
        #expect(symbols.allSatisfy { $0.hasPrefix("Java_com_guestsdk_") }, "\(symbols)")
    }
}

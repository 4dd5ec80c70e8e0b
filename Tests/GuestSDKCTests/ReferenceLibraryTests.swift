// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import HostAgent
import Testing

@Suite("The statistics sample prints the same through GuestSDK's library and Debian's libguestlib.so.0")
struct ReferenceLibraryTests {
    /// The LD_PRELOAD shim of the interoperability tests: it turns the reference library's vsock
    /// socket into a Unix socket connection to `GUESTSDK_SHIM_SOCKET` and blocks every backdoor call.
    static func shim(_ libraries: CLibraries) throws -> String {
        let output = libraries.workDirectory.appendingPathComponent("vsock-shim.so").path
        let source = CLibraries.packageRoot.appendingPathComponent("Tests/Peers/open-vm-tools/vsock-shim.c").path
        let result = try ProcessRunner.run(["gcc", "-O1", "-shared", "-fPIC", "-o", output, source, "-ldl"])
        guard result.status == 0 else { throw ProcessRunError(command: ["gcc", source], reason: "\(result)") }
        return output
    }

    @Test(.enabled(if: ExportedSymbolTests.referenceLibrary != nil, "scripts/setup unpacks open-vm-tools"))
    func statisticsSampleAnswersAlikeThroughBothLibraries() throws {
        let libraries = try CLibraries.shared.get()
        let reference = try #require(ExportedSymbolTests.referenceLibrary)
        let host = try HostFixture()
        defer { host.stop() }
        let socket = try host.addVM("twin", configuration: GuestLibCTests.richConfiguration())
        let program = try libraries.program("samples/c/guestlib-stats.c", flags: ["-ldl"])
        let arguments = [program.path, "-n", "2", "-i", "0", "-s", "session"]

        let ours = try ProcessRunner.run(arguments, environment: libraries.environment(socket: socket))
        let theirs = try ProcessRunner.run(
            arguments + ["-l", reference],
            environment: [
                "LD_PRELOAD": try Self.shim(libraries), "GUESTSDK_SHIM_SOCKET": socket,
                "LD_LIBRARY_PATH": URL(fileURLWithPath: reference).deletingLastPathComponent().path,
            ])
        #expect(ours.status == 0, "\(ours)")
        #expect(theirs.status == 0, "\(theirs)")
        #expect(ours.lines.count == 2 * 39 + 2)
        #expect(ours.lines == theirs.lines)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc
import Testing

/// `vmguestlibtest` against a host that accepts the request and never answers.
@Suite("vmguestlibtest against a hung host", .serialized)
struct VMGuestLibTestToolHungHostTests {
    /// A Unix socket that accepts connections and reads requests but never replies.
    final class SilentHost {
        let path: String
        let descriptor: Int32

        init() throws {
            self.path = "/tmp/guestsdk-silent-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
            self.descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(self.path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(self.descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            try #require(bound == 0 && listen(self.descriptor, 4) == 0)
        }

        deinit {
            _ = close(self.descriptor)
            _ = unlink(self.path)
        }

        /// Waits (at most 10 s) for a client and its first request bytes; returns the connection.
        func acceptRequest() throws -> Int32 {
            var poller = pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)
            try #require(poll(&poller, 1, 10_000) == 1, "the tool never connected")
            let connection = accept(self.descriptor, nil, nil)
            try #require(connection >= 0)
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var byte: UInt8 = 0
            try #require(recv(connection, &byte, 1, 0) == 1, "the tool sent no request")
            return connection
        }
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func signalDuringAnUnansweredUpdateEndsTheToolWithStatus0(_ signalNumber: Int32) throws {
        let tool = try #require(VMGuestLibTestToolTests.toolPath, "vmguestlibtest is not built beside the tests")
        let host = try SilentHost()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--count", "1"]
        process.environment = ProcessInfo.processInfo.environment.merging(["GUESTSDK_RPC": "unix:" + host.path]) {
            $1
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let connection = try host.acceptRequest()
        defer { _ = close(connection) }

        kill(process.processIdentifier, signalNumber)

        let endedBySignal = exited.wait(timeout: .now() + 10) == .success
        if !endedBySignal {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
        }
        #expect(endedBySignal)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}

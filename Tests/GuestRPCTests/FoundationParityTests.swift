// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation
import Glibc
import Testing

@testable import GuestRPC

/// GuestRPC does without Foundation (the C libraries link it statically); these tests
/// check that each replacement answers exactly as the Foundation call it replaced.
@Suite struct FoundationParityTests {
    @Test(arguments: [
        "auto", " auto ", "\tbackdoor\t", "\u{00A0}vsock:3\u{3000}", "\u{2009}unix:/a b\u{202F}",
        "\nauto", "auto\r\n", "\u{200B}auto", "\u{1680}\u{205F}auto\u{2000}", "\u{180E}auto", " ", "\t \u{00A0}", "",
        "a \u{0301}", " \u{0301}a",
    ])
    func endpointTrimmingMatchesCharacterSetWhitespaces(text: String) {
        #expect(Endpoint.trimmingBlanks(text) == text.trimmingCharacters(in: .whitespaces))
    }

    @Test func processEnvironmentMatchesProcessInfo() {
        #expect(ProcessEnvironment.current == ProcessInfo.processInfo.environment)
    }

    @Test func processEnvironmentSeesSetenv() {
        setenv("GUESTSDK_PARITY_TEST", "a=b c", 1)
        defer { unsetenv("GUESTSDK_PARITY_TEST") }
        #expect(ProcessEnvironment.current["GUESTSDK_PARITY_TEST"] == "a=b c")
    }

    @Test(arguments: [
        0.0, 1.5, 1_764_777_300.123_456, 1_764_777_300.999_9, 951_782_400.007, 253_402_300_799.999,
        -1.25, -86_400.5,
    ])
    func timestampMatchesStringFormat(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        var wholeSeconds = time_t(date.timeIntervalSince1970)
        let milliseconds = Int(date.timeIntervalSince1970 * 1000) % 1000
        var parts = tm()
        gmtime_r(&wholeSeconds, &parts)
        let expected = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
            milliseconds
        )
        #expect(LogLineWriter.timestamp(seconds) == expected)
    }

    @Test func formattedLineHasTheGivenTime() {
        let entry = Logger.Entry(
            level: .info, label: "host", message: "vm started",
            metadata: [Logger.Field(key: "vm", value: "web 1"), Logger.Field(key: "n", value: "3")])
        #expect(
            entry.formatted(secondsSince1970: 1_764_777_300.125)
                == "2025-12-03T15:55:00.125Z info host: vm started vm=\"web 1\" n=3")
    }

    @Test(arguments: ["plain", "", "a b", "say \"hi\"", "back\\slash =", "x=\\\"", "\"\u{0301} é", "\\\u{0301}="])
    func quotingMatchesReplacingOccurrences(value: String) {
        let needsQuotes = value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
        let expected =
            needsQuotes
            ? "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                + "\"" : value
        #expect(LogLineWriter.quoted(value) == expected)
    }

    @Test func fileExistsMatchesFileManager() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("file").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        let goodLink = directory.appendingPathComponent("good-link").path
        let brokenLink = directory.appendingPathComponent("broken-link").path
        #expect(symlink(file, goodLink) == 0)
        #expect(symlink(directory.appendingPathComponent("missing").path, brokenLink) == 0)
        for path in [directory.path, file, goodLink, brokenLink, directory.appendingPathComponent("missing").path] {
            #expect(SystemProbes.fileExists(path) == FileManager.default.fileExists(atPath: path), "\(path)")
        }
    }

    @Test(arguments: ["kernel", "vsock-privileged-port", "libappmonitorlib.so.0.0", "exactly-twenty-two-ab"])
    func findingLinePaddingMatchesNSStringPadding(name: String) {
        let finding = SystemCheck.Finding(name: name, status: .pass, message: "m")
        let padded = name.padding(toLength: max(name.count, 22), withPad: " ", startingAt: 0)
        #expect(finding.line == "PASS  \(padded)  m")
    }

    @Test func lockExcludesOtherThreads() {
        final class Counter: @unchecked Sendable {
            let lock = Lock()
            var value = 0
        }
        let counter = Counter()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<10_000 {
                counter.lock.withLock { counter.value += 1 }
            }
        }
        #expect(counter.lock.withLock { counter.value } == 80_000)
    }

    @Test func jsonTextMatchesJSONSerialization() throws {
        var texts = (0..<0x80).map { String(Unicode.Scalar(UInt8($0))) }
        texts += ["", "green", "a/b", "é\u{2028}\u{FEFF}😀", "say \"hi\"\n\\", "\"\u{0301}"]
        for text in texts {
            let members: [String: JSONText.Value] = [
                "status": .string(text), "ok": .bool(true), "enabled": .bool(false),
            ]
            let foundation = try JSONSerialization.data(
                withJSONObject: ["status": text, "ok": true, "enabled": false] as [String: Any],
                options: [.sortedKeys, .withoutEscapingSlashes])
            #expect(
                JSONText.object(members) == String(decoding: foundation, as: UTF8.self),
                "\(text.unicodeScalars.map(\.value))")
        }
    }
}

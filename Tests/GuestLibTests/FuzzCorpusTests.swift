// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestLib
import Testing

/// The fuzz seed corpora say what they are: files named `bad-*` are rejected, the others decode.
@Suite struct FuzzCorpusTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz")

    static func corpus(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let directory = Self.fuzzDirectory.appendingPathComponent(target).appendingPathComponent("corpus")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.map { name in
            (name, Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    @Test func theV2CorpusDecodesAsNamed() throws {
        let files = try Self.corpus("guestlib-v2")
        #expect(files.count == 4)
        for file in files {
            let decoded = (try? GuestLibWire.decodeV2(file.bytes)) != nil
            #expect(decoded == !file.name.hasPrefix("bad-"), "\(file.name)")
        }
    }

    @Test func theV3CorpusDecodesAsNamed() throws {
        let files = try Self.corpus("guestlib-v3")
        #expect(files.count == 10)
        for file in files {
            let decoded = (try? GuestLibWire.decodeV3(file.bytes)) != nil
            #expect(decoded == !file.name.hasPrefix("bad-"), "\(file.name)")
        }
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// Heap strings handed to C callers: `malloc`ed, NUL-terminated copies that the
/// caller releases with `VMGuestLib_StatFree` or `VMGuestAppMonitor_Free` (`free`).
enum CHeapString {
    /// Copies `bytes` into a new `malloc` block with a NUL appended.
    ///
    /// - Parameter bytes: the bytes to copy; they may contain NULs.
    /// - Returns: the block, or nil when `malloc` fails.
    static func copy(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        guard let block = malloc(bytes.count + 1) else { return nil }
        let characters = block.bindMemory(to: CChar.self, capacity: bytes.count + 1)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress {
                memcpy(characters, base, bytes.count)
            }
        }
        characters[bytes.count] = 0
        return characters
    }

    /// Reads a C string into bytes, without its NUL.
    ///
    /// - Parameter string: a NUL-terminated string.
    /// - Returns: its bytes.
    static func bytes(of string: UnsafePointer<CChar>) -> [UInt8] {
        let length = strlen(string)
        return string.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }
}

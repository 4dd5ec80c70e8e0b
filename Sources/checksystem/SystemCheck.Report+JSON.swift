// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

extension SystemCheck.Report {
    /// The report as JSON with sorted keys, for scripts.
    ///
    /// It lives with the tool rather than in GuestRPC, whose modules the C libraries
    /// link without Foundation.
    ///
    /// - Returns: the pretty-printed JSON document.
    /// - Throws: `EncodingError` when a value cannot be encoded.
    func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

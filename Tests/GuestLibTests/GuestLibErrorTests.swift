// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestLib
import Testing

@Suite struct GuestLibErrorTests {
    @Test func everyCodeHasTheSDKsExactText() {
        let texts = (0...12).map { GuestLibError.text(forCode: Int32($0)) }
        #expect(
            texts == [
                "No error",
                "Other error",
                "VMware Guest API is not running in a Virtual Machine",
                "VMware Guest API is not enabled on the host",
                "This value is not available on this host",
                "VMGuestLib_UpdateInfo() has not been called",
                "There is not enough system memory",
                "The provided memory buffer is too small",
                "The provided handle is invalid",
                "One or more arguments were invalid",
                "Host does not support this request.",
                "Other error",
                "Other error",
            ])
        #expect(GuestLibError.text(forCode: -1) == "Other error")
    }

    @Test func theStaticMembersCarryTheSDKsCodes() {
        let errors: [GuestLibError] = [
            .other, .notRunningInVM, .notEnabled, .notAvailable, .noInfo, .memory, .bufferTooSmall, .invalidHandle,
            .invalidArgument, .unsupportedVersion,
        ]
        #expect(errors.map(\.cCode) == Array(1...10))
    }

    @Test func errorsCompareByCodeAndDescribeTheirDetail() {
        let error = GuestLibError.notAvailable.with(detail: "the host marks cpuLimitMHz (id 2) invalid")
        #expect(error == .notAvailable)
        #expect(
            error.description == "This value is not available on this host: the host marks cpuLimitMHz (id 2) invalid")
    }
}

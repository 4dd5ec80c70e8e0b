// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import AppMonitor
import GuestRPC
import Testing

/// The §7.2 mapping of raw outcomes to the C ABI's values.
@Suite struct OutcomeMappingTests {
    static let transportError = RPCError(.receiveFailed, endpoint: .unix(path: "/x"))
    static let startError = AppMonitorError(
        .channelStartFailed(RPCError(.openFailed, endpoint: .unix(path: "/x"))), command: .enable,
        endpoint: .unix(path: "/x")
    )

    @Test(arguments: [
        (AppMonitorCommandOutcome.notRunningInVM, Int32(2)),
        (.channelStartFailed(startError), 3),
        (.rpcFailed(text: Array("Unknown command".utf8), transportError: nil), 4),
        (.rpcFailed(text: Array("Unknown Command".utf8), transportError: nil), 1),
        (.rpcFailed(text: Array("Unknown command ".utf8), transportError: nil), 1),
        (.rpcFailed(text: Array("disabled".utf8), transportError: nil), 1),
        (
            .rpcFailed(
                text: Array("VSockOut: Unable to receive the result of the RPCI command".utf8),
                transportError: transportError), 1
        ),
        (.succeeded(reply: Array("0".utf8)), 0),
        (.succeeded(reply: Array("0 ".utf8)), 1),
        (.succeeded(reply: Array("1".utf8)), 1),
        (.succeeded(reply: Array("2".utf8)), 1),
        (.succeeded(reply: Array("5".utf8)), 1),
        (.succeeded(reply: []), 1),
    ])
    func libraryErrorCodeFollowsTheReferenceMapping(
        outcome: AppMonitorCommandOutcome, code: Int32
    ) {
        #expect(outcome.libraryErrorCode == code)
    }

    @Test func isEnabledFlagIsSetOnlyForASuccessfulExactTrue() {
        #expect(AppMonitorCommandOutcome.succeeded(reply: Array("true".utf8)).isEnabledFlag)
        #expect(!AppMonitorCommandOutcome.succeeded(reply: Array("TRUE".utf8)).isEnabledFlag)
        #expect(!AppMonitorCommandOutcome.succeeded(reply: Array("true ".utf8)).isEnabledFlag)
        #expect(!AppMonitorCommandOutcome.succeeded(reply: Array("false".utf8)).isEnabledFlag)
        #expect(
            !AppMonitorCommandOutcome.rpcFailed(text: Array("true".utf8), transportError: nil)
                .isEnabledFlag)
        #expect(!AppMonitorCommandOutcome.notRunningInVM.isEnabledFlag)
    }

    @Test func appStatusBytesAreTheVerbatimReplyOfANonEmptySuccess() {
        #expect(
            AppMonitorCommandOutcome.succeeded(reply: Array("Green".utf8)).appStatusBytes
                == Array("Green".utf8))
        #expect(AppMonitorCommandOutcome.succeeded(reply: []).appStatusBytes == nil)
        #expect(
            AppMonitorCommandOutcome.rpcFailed(text: Array("green".utf8), transportError: nil)
                .appStatusBytes == nil)
        #expect(AppMonitorCommandOutcome.channelStartFailed(Self.startError).appStatusBytes == nil)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc
import Testing

@testable import GuestRPC

/// The texts of PROTOCOL.md §2.7 a caller sees in place of a reply.
@Suite struct RPCErrorTests {
    private static let vsock = Endpoint.vsock(cid: 0, port: 976)

    @Test(arguments: [
        (RPCError.Kind.sendFailed, Endpoint.backdoor, "RpcOut: Unable to send the RPCI command"),
        (.invalidRequest, .backdoor, "RpcOut: Unable to send the RPCI command"),
        (.receiveFailed, .backdoor, "RpcOut: Unable to receive the result of the RPCI command"),
        (.invalidReply, .backdoor, "RpcOut: Invalid format for the result of the RPCI command"),
        (.sendFailed, RPCErrorTests.vsock, "VSockOut: Unable to send data for the RPCI command"),
        (
            .invalidRequest, RPCErrorTests.vsock,
            "VSockOut: Unable to send data for the RPCI command"
        ),
        (
            .receiveFailed, RPCErrorTests.vsock,
            "VSockOut: Unable to receive the result of the RPCI command"
        ),
        (
            .invalidReply, RPCErrorTests.vsock,
            "VSockOut: Invalid format for the result of the RPCI command"
        ),
        (.sendFailed, .unix(path: "/s"), "VSockOut: Unable to send data for the RPCI command"),
        (
            .receiveFailed, .unix(path: "/s"),
            "VSockOut: Unable to receive the result of the RPCI command"
        ),
        (
            .invalidReply, .unix(path: "/s"),
            "VSockOut: Invalid format for the result of the RPCI command"
        ),
        (.channelUnavailable, .auto, "RpcChannel: Unable to create the RpcChannel object"),
        (.notRunningInVM, .auto, "RpcChannel: Unable to create the RpcChannel object"),
        (.openFailed, RPCErrorTests.vsock, "RpcChannel: Unable to open the communication channel"),
        (.openFailed, .backdoor, "RpcChannel: Unable to open the communication channel"),
    ])
    func guestTextIsTheExactReferenceText(kind: RPCError.Kind, endpoint: Endpoint, text: String) {
        #expect(RPCError(kind, endpoint: endpoint).guestText == text)
    }

    @Test func descriptionNamesEndpointDetailCallAndErrno() {
        let error = RPCError(
            .openFailed, endpoint: .unix(path: "/run/vm.sock"), systemCall: "connect",
            errorNumber: ENOENT,
            detail: "no host"
        )
        #expect(
            error.description
                == "open failed on unix:/run/vm.sock: no host (connect: No such file or directory, errno 2)"
        )
    }

    @Test func descriptionWithoutCallIsKindAndEndpoint() {
        #expect(
            RPCError(.notRunningInVM, endpoint: .auto).description == "not running in a VM on auto")
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Testing

@testable import GuestRPC

@Suite struct EndpointTests {
    @Test(arguments: [
        ("auto", Endpoint.auto), ("AUTO", .auto), ("", .auto), ("  ", .auto),
        (" backdoor ", .backdoor),
        ("backdoor", .backdoor), ("vsock", .vsock(cid: 0, port: 976)),
        ("vsock:3", .vsock(cid: 3, port: 976)),
        ("vsock:3:5000", .vsock(cid: 3, port: 5000)),
        ("vsock:4294967295:1", .vsock(cid: 0xFFFF_FFFF, port: 1)),
        ("unix:/run/vm.sock", .unix(path: "/run/vm.sock")),
        ("unix:relative:with:colons", .unix(path: "relative:with:colons")),
    ])
    func everyFormParses(text: String, expected: Endpoint) throws {
        #expect(try Endpoint(parsing: text) == expected)
    }

    @Test(arguments: [
        ("unix", "unix needs a socket path, as in unix:/run/guestsdk/vm.sock"),
        ("unix:", "unix needs a socket path, as in unix:/run/guestsdk/vm.sock"),
        ("vsock:1:2:3", "vsock takes at most a CID and a port, as in vsock:0:976"),
        ("vsock:", "the vsock CID '' is not a 32-bit number"),
        ("vsock:x", "the vsock CID 'x' is not a 32-bit number"),
        ("vsock:-1", "the vsock CID '-1' is not a 32-bit number"),
        ("vsock:4294967296", "the vsock CID '4294967296' is not a 32-bit number"),
        ("vsock:2:", "the vsock port '' is not a 32-bit number"),
        ("vsock::976", "the vsock CID '' is not a 32-bit number"),
        ("vsock:2:port", "the vsock port 'port' is not a 32-bit number"),
        ("tcp:1.2.3.4", "expected auto, vsock[:CID[:PORT]], backdoor or unix:PATH"),
        ("auto:1", "expected auto, vsock[:CID[:PORT]], backdoor or unix:PATH"),
        ("backdoor:1", "expected auto, vsock[:CID[:PORT]], backdoor or unix:PATH"),
    ])
    func malformedTextIsRejectedWithItsReason(text: String, reason: String) {
        #expect(throws: EndpointError(text: text, reason: reason)) {
            try Endpoint(parsing: text)
        }
    }

    @Test func errorTextNamesTheVariableAndTheValue() {
        let error = EndpointError(text: "tcp:x", reason: "expected auto")
        #expect(error.description == "GUESTSDK_RPC='tcp:x' is not an endpoint: expected auto")
    }

    @Test func unsetVariableMeansAuto() throws {
        #expect(try Endpoint.fromEnvironment([:]) == .auto)
        #expect(try Endpoint.fromEnvironment(["GUESTSDK_RPC": "unix:/s"]) == .unix(path: "/s"))
        #expect(throws: EndpointError.self) {
            try Endpoint.fromEnvironment(["GUESTSDK_RPC": "bogus"])
        }
    }

    @Test func descriptionsRoundTrip() throws {
        for endpoint in [
            Endpoint.auto, .backdoor, .vsock(cid: 2, port: 976), .unix(path: "/tmp/a b"),
        ] {
            #expect(try Endpoint(parsing: endpoint.description) == endpoint)
        }
    }

    @Test func onlyAutoAndBackdoorNeedTheVMCheck() {
        #expect(Endpoint.auto.requiresVMwareGuest)
        #expect(Endpoint.backdoor.requiresVMwareGuest)
        #expect(!Endpoint.vsock(cid: 0, port: 976).requiresVMwareGuest)
        #expect(!Endpoint.unix(path: "/x").requiresVMwareGuest)
    }
}

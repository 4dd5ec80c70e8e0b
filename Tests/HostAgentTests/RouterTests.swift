// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC
import HostAgent
import Testing

/// Answers every request with `1 <name>`, so a test sees which service a request reached.
private final class NamedService: RPCService {
    let name: String

    init(_ name: String) {
        self.name = name
    }

    func handle(_ request: RPCRequest) -> RPCReply {
        .success(self.name)
    }
}

@Suite("Router: commands matched exactly, then by prefix")
struct RouterTests {
    private func route(_ text: String, on router: Router) -> RPCReply {
        router.route(RPCRequest(vmName: "vm1", bytes: Array(text.utf8)))
    }

    @Test func exactCommandMatchesOnlyTheWholeCommand() {
        let router = Router()
        router.register(command: "info", to: NamedService("info"))
        #expect(self.route("info", on: router) == .success("info"))
        #expect(self.route("info 3", on: router) == .success("info"))
        #expect(self.route("info.get 3", on: router) == .failure("Unknown command"))
        #expect(self.route("inf 3", on: router) == .failure("Unknown command"))
        #expect(self.route(" info", on: router) == .failure("Unknown command"))
    }

    @Test func exactRouteWinsOverAPrefixRouteRegisteredFirst() {
        let router = Router()
        router.register(prefix: "guestlib.", to: NamedService("prefix"))
        router.register(command: "guestlib.info.get", to: NamedService("exact"))
        #expect(self.route("guestlib.info.get 3", on: router) == .success("exact"))
        #expect(self.route("guestlib.info.get3", on: router) == .success("prefix"))
        #expect(self.route("guestlib.", on: router) == .success("prefix"))
        #expect(self.route("guestlib", on: router) == .failure("Unknown command"))
    }

    @Test func prefixIsMatchedAgainstTheCommandOnly() {
        let router = Router()
        router.register(prefix: "a.b", to: NamedService("prefix"))
        #expect(self.route("a.b.c", on: router) == .success("prefix"))
        #expect(self.route("a b", on: router) == .failure("Unknown command"))
        #expect(self.route("a.", on: router) == .failure("Unknown command"))
    }

    @Test func firstRegisteredPrefixWins() {
        let router = Router()
        router.register(prefix: "a", to: NamedService("short"))
        router.register(prefix: "a.b", to: NamedService("long"))
        #expect(self.route("a.b.c", on: router) == .success("short"))
    }

    @Test func registeringACommandAgainReplacesItsService() {
        let router = Router()
        router.register(command: "echo", to: NamedService("old"))
        router.register(command: "echo", to: NamedService("new"))
        #expect(self.route("echo 1", on: router) == .success("new"))
    }

    @Test func emptyCommandReachesOnlyAnEmptyRoute() {
        let router = Router()
        router.register(command: "echo", to: NamedService("echo"))
        #expect(self.route("", on: router) == .failure("Unknown command"))
        #expect(self.route(" echo", on: router) == .failure("Unknown command"))
        router.register(command: "", to: NamedService("empty"))
        #expect(self.route("", on: router) == .success("empty"))
        #expect(self.route(" echo", on: router) == .success("empty"))
    }

    @Test func emptyPrefixTakesEveryUnmatchedCommand() {
        let router = Router()
        router.register(command: "echo", to: NamedService("echo"))
        router.register(prefix: "", to: NamedService("any"))
        #expect(self.route("echo", on: router) == .success("echo"))
        #expect(self.route("", on: router) == .success("any"))
        #expect(self.route("other 1", on: router) == .success("any"))
    }
}

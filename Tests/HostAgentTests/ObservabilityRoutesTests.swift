// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Testing

@testable import HostAgent

@Suite("Observability routes: /metrics, / and /dashboard/state without the token")
struct ObservabilityRoutesTests {
    let fixture = ObservabilityFixture()
    var routes: ObservabilityRoutes { ObservabilityRoutes(metrics: self.fixture.metrics, feed: self.fixture.feed) }

    @Test func metricsUseThePrometheusContentType() throws {
        let response = try #require(self.routes.respond(method: "GET", path: "/metrics", host: "127.0.0.1:9100"))
        #expect(response.status == 200)
        #expect(response.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(String(decoding: response.body, as: UTF8.self) == self.fixture.metrics.exposition())
    }

    @Test func pageIsSelfContainedHTMLWithAStrictPolicy() throws {
        let response = try #require(self.routes.respond(method: "GET", path: "/", host: "localhost:9100"))
        let page = String(decoding: response.body, as: UTF8.self)
        #expect(response.status == 200)
        #expect(response.contentType == "text/html; charset=utf-8")
        #expect(response.headers["Content-Security-Policy"]?.hasPrefix("default-src 'none';") == true)
        #expect(response.headers["X-Frame-Options"] == "DENY")
        #expect(page.hasPrefix("<!DOCTYPE html>\n"))
        #expect(page.contains("fetch(\"/dashboard/state\""))
        let withoutSVGNamespace = page.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
        #expect(!withoutSVGNamespace.contains("http://"))
        #expect(!page.contains("https://"))
        #expect(!page.contains("innerHTML"))
    }

    @Test func stateIsTheFeedsJSON() throws {
        try self.fixture.engine.addVM(named: "a", settings: ObservabilityFixture.settings)
        let response = try #require(self.routes.respond(method: "GET", path: "/dashboard/state", host: nil))
        #expect(response.status == 200)
        #expect(response.contentType == "application/json")
        let document = try JSONDecoder().decode(DashboardDocument.self, from: Data(response.body))
        #expect(document.vms.map(\.name) == ["a"])
    }

    @Test func foreignHostIsRefusedAgainstDNSRebinding() throws {
        for host in ["evil.example:9100", "127.0.0.1.evil.example", "10.0.0.1:80", "[::2]:80", "localhost:x"] {
            let response = try #require(self.routes.respond(method: "GET", path: "/dashboard/state", host: host))
            #expect(response.status == 403, "Host: \(host)")
        }
        for host in ["127.0.0.1", "127.0.0.1:8080", "LOCALHOST:1", "[::1]:9100", "[::1]", "127.1.2.3:5"] {
            let response = try #require(self.routes.respond(method: "GET", path: "/metrics", host: host))
            #expect(response.status == 200, "Host: \(host)")
        }
    }

    @Test func otherMethodsGet405AndHeadHasNoBody() throws {
        let post = try #require(self.routes.respond(method: "POST", path: "/metrics", host: nil))
        #expect(post.status == 405)
        #expect(post.headers["Allow"] == "GET, HEAD")
        let head = try #require(self.routes.respond(method: "HEAD", path: "/", host: nil))
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }

    @Test func otherPathsAreNotTheirs() {
        #expect(self.routes.respond(method: "GET", path: "/v1/vms", host: nil) == nil)
        #expect(self.routes.respond(method: "GET", path: "/metrics/", host: nil) == nil)
    }

    @Test func missingParts404() throws {
        let bare = ObservabilityRoutes(metrics: nil, feed: nil)
        #expect(try #require(bare.respond(method: "GET", path: "/metrics", host: nil)).status == 404)
        #expect(try #require(bare.respond(method: "GET", path: "/", host: nil)).status == 404)
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// The read-only HTTP routes of the control server: `/metrics`, the dashboard page `/`, and its
/// JSON feed `/dashboard/state`.
///
/// They are served without the control token, on purpose (docs/dashboard.md): they change
/// nothing, the server listens on loopback only, and a browser cannot read the token file. To keep
/// a web page elsewhere from reading them through DNS rebinding, a request whose `Host` header
/// names anything but a loopback address or `localhost` is refused with 403; and no CORS header is
/// ever sent, so another origin's script cannot read a response. Every mutating route of the
/// control API still requires the token.
public struct ObservabilityRoutes: Sendable {
    /// One answer, independent of the HTTP server that sends it.
    public struct Response: Equatable, Sendable {
        /// The HTTP status.
        public var status: Int
        /// The `Content-Type` header.
        public var contentType: String
        /// More headers, in order.
        public var headers: [String: String]
        /// The body.
        public var body: [UInt8]

        /// Creates a response.
        public init(status: Int, contentType: String, headers: [String: String] = [:], body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.headers = headers
            self.body = body
        }

        static func text(_ status: Int, _ text: String, headers: [String: String] = [:]) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", headers: headers, body: Array(text.utf8))
        }
    }

    /// The paths these routes answer.
    public static let paths = ["/", "/metrics", "/dashboard/state"]

    /// Headers that keep the page from being framed, sniffed, cached or fed from elsewhere.
    public static let pageHeaders = [
        "Content-Security-Policy":
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    ]

    private let metrics: AgentMetrics?
    private let feed: DashboardFeed?

    /// Creates the routes.
    ///
    /// - Parameters:
    ///   - metrics: what `/metrics` shows; nil answers it 404.
    ///   - feed: what the dashboard shows; nil answers `/` and `/dashboard/state` 404.
    public init(metrics: AgentMetrics?, feed: DashboardFeed?) {
        self.metrics = metrics
        self.feed = feed
    }

    /// Answers a request for one of `paths`, or returns nil for any other path.
    ///
    /// - Parameters:
    ///   - method: the request method; `GET` and `HEAD` are answered, others get 405.
    ///   - path: the path without the query.
    ///   - host: the `Host` header, if the request had one.
    /// - Returns: the response (with an empty body for `HEAD`), or nil when the path is not one of these routes.
    public func respond(method: String, path: String, host: String?) -> Response? {
        guard Self.paths.contains(path) else { return nil }
        if let host, !Self.isLoopbackHost(host) {
            return .text(403, "forbidden: the Host header must name a loopback address\n")
        }
        guard method == "GET" || method == "HEAD" else {
            return .text(405, "method \(method) not allowed on \(path)\n", headers: ["Allow": "GET, HEAD"])
        }
        var response = self.respondToGet(path)
        if method == "HEAD" { response.body = [] }
        return response
    }

    private func respondToGet(_ path: String) -> Response {
        switch path {
        case "/metrics":
            guard let metrics else { return .text(404, "no metrics in this agent\n") }
            return Response(
                status: 200, contentType: MetricsRegistry.contentType, headers: ["Cache-Control": "no-store"],
                body: Array(metrics.exposition().utf8))
        case "/dashboard/state":
            guard let feed else { return .text(404, "no dashboard in this agent\n") }
            return Response(
                status: 200, contentType: "application/json", headers: ["Cache-Control": "no-store"],
                body: feed.json())
        default:
            guard self.feed != nil else { return .text(404, "no dashboard in this agent\n") }
            return Response(
                status: 200, contentType: "text/html; charset=utf-8", headers: Self.pageHeaders,
                body: Array(DashboardPage.html.utf8))
        }
    }

    /// True for `localhost`, `127.x.y.z` and `[::1]`, with or without a port.
    static func isLoopbackHost(_ host: String) -> Bool {
        var name = Substring(host.lowercased())
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            let rest = name[name.index(after: close)...]
            guard rest.isEmpty || Self.isPortSuffix(rest) else { return false }
            return name[name.index(after: name.startIndex)..<close] == "::1"
        }
        if let colon = name.firstIndex(of: ":") {
            guard Self.isPortSuffix(name[colon...]) else { return false }
            name = name[..<colon]
        }
        if name == "localhost" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    private static func isPortSuffix(_ text: Substring) -> Bool {
        text.count > 1 && text.first == ":" && UInt16(text.dropFirst()) != nil
    }
}

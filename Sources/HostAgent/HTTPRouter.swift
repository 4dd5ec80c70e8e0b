// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// Maps a method and a path pattern such as `/v1/vms/{name}` to a handler, checking the token
/// first where the route needs it.
///
/// Routes are tried in the order they were added. A path that matches no route is 404, a path
/// that matches only with another method is 405, and a protected route without the right
/// `Authorization: Bearer <token>` header is 401 before its handler runs.
public final class HTTPRouter: @unchecked Sendable {
    /// Who may call a route.
    public enum Access: Sendable {
        /// Only a request carrying the control token.
        case token
        /// Anyone who can reach the loopback port, such as a dashboard page or a scraper.
        case open
    }

    /// Answers one matched request; throwing an `HTTPError` answers with its status.
    public typealias Handler = @Sendable (HTTPRequest) throws -> HTTPResponse

    private struct Route {
        var method: String
        var segments: [Substring]
        var access: Access
        var handler: Handler
    }

    private let lock = NSLock()
    private var routes: [Route] = []
    private let token: ControlToken

    /// Creates a router with no routes.
    ///
    /// - Parameter token: the token protected routes require.
    public init(token: ControlToken) {
        self.token = token
    }

    /// Adds a route.
    ///
    /// - Parameters:
    ///   - method: the method, such as `GET`.
    ///   - pattern: the path, where a `{name}` segment matches any one segment.
    ///   - access: whether the token is required; it is by default.
    ///   - handler: answers the request; `request.pathParameters` holds the `{name}` values.
    public func add(_ method: String, _ pattern: String, access: Access = .token, handler: @escaping Handler) {
        let route = Route(
            method: method.uppercased(), segments: pattern.split(separator: "/"), access: access, handler: handler)
        self.lock.withLock { self.routes.append(route) }
    }

    /// Answers a request through the first matching route.
    ///
    /// - Parameter request: the request.
    /// - Returns: the route's response, or 401, 404, 405 or 500 as described on the type.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let routes = self.lock.withLock { self.routes }
        let segments = request.path.split(separator: "/")
        var pathMatched = false
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            pathMatched = true
            guard route.method == request.method || (route.method == "GET" && request.method == "HEAD") else {
                continue
            }
            if route.access == .token && !self.token.authorizes(request.headers["authorization"]) {
                return .error(HTTPError(status: 401, message: "missing or wrong bearer token"))
            }
            var matched = request
            matched.pathParameters = parameters
            do {
                return try route.handler(matched)
            } catch let error as HTTPError {
                return .error(error)
            } catch {
                return .error(HTTPError(status: 500, message: "\(error)"))
            }
        }
        if pathMatched {
            return .error(HTTPError(status: 405, message: "method \(request.method) not allowed on \(request.path)"))
        }
        return .error(HTTPError(status: 404, message: "no route for \(request.path)"))
    }

    private static func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.hasPrefix("{") && expected.hasSuffix("}") {
                let name = String(expected.dropFirst().dropLast())
                parameters[name] = String(actual).removingPercentEncoding ?? String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}

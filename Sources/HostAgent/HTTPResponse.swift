// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// One HTTP response from the control server.
public struct HTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The headers to send, in order; `Content-Length` is added by the server.
    public var headers: [(name: String, value: String)]
    /// The body.
    public var body: Data

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with sorted keys and ISO 8601 dates.
    ///
    /// - Parameters:
    ///   - value: the body value.
    ///   - status: the status; 200 by default.
    /// - Returns: the response with `Content-Type: application/json`.
    public static func json<Body: Encodable>(_ value: Body, status: Int = 200) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return HTTPResponse(
            status: status, headers: [("Content-Type", "application/json")], body: body + Data("\n".utf8))
    }

    /// A plain-text response.
    ///
    /// - Parameters:
    ///   - text: the body.
    ///   - status: the status; 200 by default.
    ///   - contentType: the content type; UTF-8 plain text by default.
    /// - Returns: the response.
    public static func text(
        _ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8"
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: Data(text.utf8))
    }

    /// The JSON `{"error": message}` response for an error.
    ///
    /// - Parameter error: the error.
    /// - Returns: its response.
    public static func error(_ error: HTTPError) -> HTTPResponse {
        var response = self.json(["error": error.message], status: error.status)
        if error.status == 401 {
            response.headers.append(("WWW-Authenticate", "Bearer realm=\"guestsdk-host\""))
        }
        return response
    }
}

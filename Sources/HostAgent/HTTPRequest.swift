// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

/// One HTTP request to the control server, fully read.
public struct HTTPRequest: Sendable {
    /// The method in upper case, such as `GET`.
    public var method: String
    /// The path without the query, such as `/v1/vms/web01`.
    public var path: String
    /// The query arguments, such as `after` and `limit`.
    public var query: [String: String]
    /// The headers, keyed by lower-case name.
    public var headers: [String: String]
    /// The body.
    public var body: Data
    /// The values of a route's `{name}` segments, filled in by `HTTPRouter`.
    public var pathParameters: [String: String] = [:]

    /// Creates a request.
    public init(
        method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
        body: Data = Data()
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Decodes the body as JSON of type `Body`.
    ///
    /// - Returns: the decoded value.
    /// - Throws: `HTTPError` 400 naming what is wrong with the body; for a number out of range it
    ///   names the key, the range and the value.
    public func decodeBody<Body: Decodable>(_ type: Body.Type) throws -> Body {
        do {
            return try JSONDecoder().decode(type, from: self.body)
        } catch let error as SettingRangeError {
            throw HTTPError(status: 400, message: error.description)
        } catch let error as DecodingError {
            throw HTTPError(status: 400, message: "invalid JSON body: \(HTTPError.describe(error))")
        } catch {
            throw HTTPError(status: 400, message: "invalid JSON body: \(error)")
        }
    }

    /// Reads query argument `name` as an integer.
    ///
    /// - Parameters:
    ///   - name: the argument's name.
    ///   - defaultValue: the value when the argument is absent.
    /// - Returns: the value.
    /// - Throws: `HTTPError` 400 when the argument is not an integer.
    public func integerQuery(_ name: String, default defaultValue: Int64) throws -> Int64 {
        guard let text = self.query[name] else { return defaultValue }
        guard let value = Int64(text) else {
            throw HTTPError(status: 400, message: "query argument \(name) must be an integer, not \(text)")
        }
        return value
    }
}

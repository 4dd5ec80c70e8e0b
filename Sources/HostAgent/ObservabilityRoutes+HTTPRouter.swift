// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

extension ObservabilityRoutes {
    /// Adds `/`, `/metrics` and `/dashboard/state` to the control server's router as open routes:
    /// answered without the token, for `GET` and `HEAD` only.
    ///
    /// - Parameter router: the control API's router; its other routes keep requiring the token.
    public func register(on router: HTTPRouter) {
        for path in Self.paths {
            router.add("GET", path, access: .open) { request in
                let response = self.respond(method: request.method, path: path, host: request.headers["host"])
                return response.map(HTTPResponse.init)
                    ?? .error(HTTPError(status: 404, message: "no route for \(path)"))
            }
        }
    }
}

extension HTTPResponse {
    /// The control server's form of an observability response: `Content-Type` first, then the other
    /// headers sorted by name, less `Cache-Control`, which the control server sets on every response.
    init(_ response: ObservabilityRoutes.Response) {
        let headers =
            [("Content-Type", response.contentType)]
            + response.headers.filter { $0.key != "Cache-Control" }.sorted { $0.key < $1.key }
        self.init(
            status: response.status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Data(response.body))
    }
}

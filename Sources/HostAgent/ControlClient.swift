// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import Glibc

/// A small HTTP/1.1 client for the control API on `127.0.0.1`, used by `guestsdk-host ctl` and
/// by tests.
///
/// One request per connection (`Connection: close`), blocking I/O with a timeout.
public struct ControlClient: Sendable {
    /// A reply: the status and the body.
    public struct Response: Sendable {
        /// The HTTP status.
        public var status: Int
        /// The body.
        public var body: Data

        /// The body as UTF-8 text.
        public var text: String { String(decoding: self.body, as: UTF8.self) }
    }

    /// The file in the state directory where the running agent writes its control port.
    public static let portFileName = "control.port"

    /// The address connected to.
    public var address: String
    /// The port connected to.
    public var port: UInt16
    /// The token sent as `Authorization: Bearer <token>`; nil sends no header.
    public var token: String?
    /// How long one request may take, in seconds.
    public var timeout: Double

    /// Creates a client.
    public init(address: String = "127.0.0.1", port: UInt16, token: String?, timeout: Double = 10) {
        self.address = address
        self.port = port
        self.token = token
        self.timeout = timeout
    }

    /// Creates a client for the agent whose state directory is `directory`: it reads the port
    /// file and the token file there.
    ///
    /// - Parameter directory: the agent's state directory.
    /// - Throws: `ControlClientError` when the port file is missing (the agent is not running) or
    ///   `ControlTokenError` when the token cannot be read.
    public init(stateDirectory directory: String) throws {
        let portPath = directory + "/" + Self.portFileName
        guard let data = FileManager.default.contents(atPath: portPath),
            let port = UInt16(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw ControlClientError(
                reason: "cannot read \(portPath); is guestsdk-host running with this state directory?")
        }
        let token = try ControlToken.read(path: directory + "/" + ControlToken.fileName)
        self.init(port: port, token: token.value)
    }

    /// Sends one request and reads the whole reply.
    ///
    /// - Parameters:
    ///   - method: the method, such as `GET`.
    ///   - path: the path with its query, such as `/v1/events?after=10`.
    ///   - body: a JSON body, if any.
    /// - Returns: the reply.
    /// - Throws: `ControlClientError` when the agent cannot be reached or the reply is not HTTP.
    public func send(_ method: String, _ path: String, body: Data? = nil) throws -> Response {
        let descriptor = try self.connect()
        defer { _ = close(descriptor) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(self.address):\(self.port)\r\nConnection: close\r\n"
        if let token = self.token { head += "Authorization: Bearer \(token)\r\n" }
        if let body {
            head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        } else if method != "GET" && method != "HEAD" {
            head += "Content-Length: 0\r\n"
        }
        let request = Array((head + "\r\n").utf8) + Array(body ?? Data())
        var offset = 0
        while offset < request.count {
            let sent = request[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard sent > 0 else { throw ControlClientError(systemCall: "send", errno: errno) }
            offset += sent
        }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else {
                let error = errno
                if error == EINTR { continue }
                throw ControlClientError(systemCall: "recv", errno: error)
            }
            reply += buffer[..<count]
        }
        return try Self.parse(reply)
    }

    private func connect() throws -> Int32 {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = self.port.bigEndian
        guard inet_pton(AF_INET, self.address, &address.sin_addr) == 1 else {
            throw ControlClientError(reason: "\(self.address) is not an IPv4 address")
        }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ControlClientError(systemCall: "socket", errno: errno) }
        var timeout = timeval(
            tv_sec: Int(self.timeout), tv_usec: Int((self.timeout.truncatingRemainder(dividingBy: 1)) * 1e6))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let error = errno
            _ = close(descriptor)
            throw ControlClientError(
                reason:
                    "cannot connect to \(self.address):\(self.port): \(String(cString: strerror(error))) (errno \(error))"
            )
        }
        return descriptor
    }

    /// Splits a whole HTTP reply into status and body, honouring `Content-Length` and chunked bodies.
    static func parse(_ reply: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = reply.indices.first(where: { reply[$0...].starts(with: separator) }) else {
            throw ControlClientError(reason: "the reply has no HTTP header")
        }
        let head = String(decoding: reply[..<end], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw ControlClientError(reason: "bad status line: \(lines[0])")
        }
        var body = Array(reply[(end + 4)...])
        let headers = lines.dropFirst().map { $0.lowercased() }
        if headers.contains(where: { $0.hasPrefix("transfer-encoding:") && $0.contains("chunked") }) {
            body = Self.dechunk(body)
        } else if let length = headers.first(where: { $0.hasPrefix("content-length:") })
            .flatMap({ Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }),
            length <= body.count
        {
            body = Array(body[..<length])
        }
        return Response(status: status, body: Data(body))
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstIndex(of: 13) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { break }
            result += bytes[start..<(start + size)]
            index = start + size + 2
        }
        return result
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import CMicroHTTPD
import Foundation
import Glibc
import GuestRPC

/// The control API's HTTP listener: libmicrohttpd on loopback addresses only.
///
/// The server binds each address itself (`127.0.0.1`, and `::1` when asked) and hands the bound
/// socket to libmicrohttpd (`MHD_OPTION_LISTEN_SOCKET`), so it never listens on a wildcard
/// address; a non-loopback address is refused before anything is bound. Each request is read in
/// full (bodies up to `maximumBodySize`) and answered by the handler on libmicrohttpd's polling
/// thread. `ControlConnectionLimits` bounds the connections of each address, and a
/// `ControlConnectionMonitor` per address warns when a limit turns clients away.
public final class ControlHTTPServer: @unchecked Sendable {
    /// The largest request body accepted; a longer one is answered 413.
    public static let maximumBodySize = 1 << 20

    /// The port every address listens on.
    public let port: UInt16
    /// The addresses listened on, such as `127.0.0.1`.
    public let addresses: [String]
    /// The connection limits of each address.
    public let limits: ControlConnectionLimits
    private let context: Unmanaged<HandlerBox>
    private var monitors: [ControlConnectionMonitor] = []
    private var daemons: [OpaquePointer] = []
    private let lock = NSLock()

    /// The handler and logger the C callbacks reach through their `cls` pointer.
    final class HandlerBox {
        let handler: @Sendable (HTTPRequest) -> HTTPResponse
        let logger: Logger

        init(handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse, logger: Logger) {
            self.handler = handler
            self.logger = logger
        }
    }

    /// Starts listening.
    ///
    /// - Parameters:
    ///   - addresses: loopback addresses (`127.0.0.1`, `::1`, or anything in `127.0.0.0/8`).
    ///   - port: the port; 0 picks a free one, then shared by every address.
    ///   - limits: the connection limits of each address.
    ///   - clock: paces the warnings about refused connections.
    ///   - logger: receives warnings.
    ///   - handler: answers each request.
    /// - Throws: `ControlServerError` for a non-loopback address or a failed bind or start.
    public init(
        addresses: [String] = ["127.0.0.1"], port: UInt16 = 0, limits: ControlConnectionLimits = .standard,
        clock: any Clock = SystemClock(), logger: Logger,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) throws {
        guard !addresses.isEmpty else { throw ControlServerError(reason: "no listen address given") }
        self.context = Unmanaged.passRetained(HandlerBox(handler: handler, logger: logger))
        self.addresses = addresses
        self.limits = limits
        var chosenPort = port
        var sockets: [Int32] = []
        do {
            for address in addresses {
                let socket = try LoopbackListener.bind(address: address, port: chosenPort)
                sockets.append(socket.descriptor)
                chosenPort = socket.port
            }
            self.port = chosenPort

            for address in addresses {
                let monitor = ControlConnectionMonitor(
                    listener: Self.describe(address, port: chosenPort), limits: limits, clock: clock, logger: logger)
                self.monitors.append(monitor)
                let daemon = try Self.startDaemon(
                    listening: sockets[0], limits: limits, monitor: monitor, context: self.context)
                self.daemons.append(daemon)
                sockets.removeFirst()
            }
        } catch {
            sockets.forEach { _ = close($0) }
            self.daemons.forEach { MHD_stop_daemon($0) }
            self.context.release()
            throw error
        }
    }

    deinit {
        self.stop()
        self.context.release()
    }

    /// Connections open now, on every address.
    public var connectionsOpen: Int {
        self.monitors.reduce(0) { $0 + $1.openConnections }
    }

    /// Connections closed at once because their client address held its limit, on every address.
    public var connectionsRefused: Int {
        self.monitors.reduce(0) { $0 + $1.refusedConnections }
    }

    /// Stops listening and closes every connection.
    public func stop() {
        let daemons = self.lock.withLock {
            defer { self.daemons = [] }
            return self.daemons
        }
        daemons.forEach { MHD_stop_daemon($0) }
    }

    /// An address and port as a client would write them: `127.0.0.1:8650`, `[::1]:8650`.
    private static func describe(_ address: String, port: UInt16) -> String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    /// Starts libmicrohttpd on a bound socket (`MHD_start_daemon_va`), with the limits and the
    /// monitor's callbacks.
    private static func startDaemon(
        listening descriptor: Int32, limits: ControlConnectionLimits, monitor: ControlConnectionMonitor,
        context: Unmanaged<HandlerBox>
    ) throws -> OpaquePointer {
        let flags = MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue | MHD_USE_ERROR_LOG.rawValue
        let options = self.daemonOptions(listening: descriptor, limits: limits, monitor: monitor, context: context)
        let daemon = withVaList(options) { arguments in
            MHD_start_daemon_va(UInt32(flags), 0, nil, nil, accessHandler, context.toOpaque(), arguments)
        }
        guard let daemon else {
            throw ControlServerError(reason: "MHD_start_daemon failed for \(monitor.listener)")
        }
        return daemon
    }

    /// The option list of `MHD_start_daemon_va`; the logger comes first, as libmicrohttpd asks, so
    /// that no message of the start goes to its own standard-error logger.
    private static func daemonOptions(
        listening descriptor: Int32, limits: ControlConnectionLimits, monitor: ControlConnectionMonitor,
        context: Unmanaged<HandlerBox>
    ) -> [any CVarArg] {
        func option(_ name: MHD_OPTION) -> Int32 { Int32(bitPattern: name.rawValue) }
        func pointer<Callback>(_ callback: Callback) -> OpaquePointer {
            OpaquePointer(unsafeBitCast(callback, to: UnsafeRawPointer.self))
        }
        let monitorPointer = OpaquePointer(Unmanaged.passUnretained(monitor).toOpaque())
        return [
            option(MHD_OPTION.EXTERNAL_LOGGER), pointer(libraryMessageLogged), monitorPointer,
            option(MHD_OPTION.LISTEN_SOCKET), descriptor,
            option(MHD_OPTION.NOTIFY_COMPLETED), pointer(requestCompleted), OpaquePointer(context.toOpaque()),
            option(MHD_OPTION.NOTIFY_CONNECTION), pointer(connectionNotified), monitorPointer,
            option(MHD_OPTION.CONNECTION_TIMEOUT), UInt32(limits.idleTimeoutSeconds),
            option(MHD_OPTION.CONNECTION_LIMIT), UInt32(limits.connections),
            option(MHD_OPTION.PER_IP_CONNECTION_LIMIT), UInt32(limits.connectionsPerClientAddress),
            option(MHD_OPTION.END),
        ]
    }
}

/// libmicrohttpd's log callback (`MHD_OPTION_EXTERNAL_LOGGER`): hands the formatted message to
/// the listener's monitor.
private let libraryMessageLogged: MHD_LogCallback = { context, format, arguments in
    guard let context, let format, let arguments else { return }
    var buffer = [CChar](repeating: 0, count: 512)
    _ = vsnprintf(&buffer, buffer.count, format, arguments)
    let monitor = Unmanaged<ControlConnectionMonitor>.fromOpaque(context).takeUnretainedValue()
    monitor.record(libraryMessage: String(cString: buffer))
}

/// libmicrohttpd's connection callback (`MHD_OPTION_NOTIFY_CONNECTION`): counts connections
/// opened and closed.
private let connectionNotified: MHD_NotifyConnectionCallback = { context, _, _, code in
    guard let context else { return }
    let monitor = Unmanaged<ControlConnectionMonitor>.fromOpaque(context).takeUnretainedValue()
    switch code {
    case MHD_ConnectionNotificationCode.CONNECTION_NOTIFY_STARTED: monitor.connectionOpened()
    case MHD_ConnectionNotificationCode.CONNECTION_NOTIFY_CLOSED: monitor.connectionClosed()
    default: break
    }
}

/// The body of one request while libmicrohttpd delivers it, kept in the connection's `con_cls`.
private final class PendingRequest {
    var body = Data()
    var isTooLarge = false
}

/// libmicrohttpd's access handler: collects the body, then answers through the handler box.
private let accessHandler: MHD_AccessHandlerCallback = {
    context, connection, url, method, _, uploadData, uploadDataSize, connectionContext in
    guard let context, let connection, let connectionContext, let uploadDataSize else { return MHD_Result.NO }
    guard let existing = connectionContext.pointee else {
        connectionContext.pointee = Unmanaged.passRetained(PendingRequest()).toOpaque()
        return MHD_Result.YES
    }
    let pending = Unmanaged<PendingRequest>.fromOpaque(existing).takeUnretainedValue()
    if uploadDataSize.pointee > 0 {
        if let uploadData, pending.body.count + uploadDataSize.pointee <= ControlHTTPServer.maximumBodySize {
            pending.body.append(
                UnsafeRawPointer(uploadData).assumingMemoryBound(to: UInt8.self), count: uploadDataSize.pointee)
        } else {
            pending.isTooLarge = true
        }
        uploadDataSize.pointee = 0
        return MHD_Result.YES
    }
    let box = Unmanaged<ControlHTTPServer.HandlerBox>.fromOpaque(context).takeUnretainedValue()
    var request = HTTPRequest(
        method: method.map { String(cString: $0) } ?? "GET", path: url.map { String(cString: $0) } ?? "/",
        body: pending.body)
    request.headers = collectValues(connection, kind: MHD_ValueKind.HEADER_KIND, lowercasingKeys: true)
    request.query = collectValues(connection, kind: MHD_ValueKind.GET_ARGUMENT_KIND, lowercasingKeys: false)
    let response: HTTPResponse =
        pending.isTooLarge
        ? .error(HTTPError(status: 413, message: "body larger than \(ControlHTTPServer.maximumBodySize) bytes"))
        : box.handler(request)
    return queue(response, on: connection, omittingBody: request.method == "HEAD")
}

/// libmicrohttpd's completion callback: frees the pending request.
private let requestCompleted: MHD_RequestCompletedCallback = { _, _, connectionContext, _ in
    guard let connectionContext, let existing = connectionContext.pointee else { return }
    Unmanaged<PendingRequest>.fromOpaque(existing).release()
    connectionContext.pointee = nil
}

/// Collects the headers or query arguments of a request.
private func collectValues(_ connection: OpaquePointer, kind: MHD_ValueKind, lowercasingKeys: Bool) -> [String: String]
{
    final class Collector {
        var values: [String: String] = [:]
        var lowercasesKeys = false
    }
    let collector = Collector()
    collector.lowercasesKeys = lowercasingKeys
    let iterator: MHD_KeyValueIterator = { context, _, key, value in
        guard let context, let key else { return MHD_Result.YES }
        let collector = Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue()
        let name = String(cString: key)
        collector.values[collector.lowercasesKeys ? name.lowercased() : name] = value.map { String(cString: $0) } ?? ""
        return MHD_Result.YES
    }
    withExtendedLifetime(collector) {
        _ = MHD_get_connection_values(connection, kind, iterator, Unmanaged.passUnretained(collector).toOpaque())
    }
    return collector.values
}

/// Queues `response` on the connection (`MHD_create_response_from_buffer`, `MHD_queue_response`).
private func queue(_ response: HTTPResponse, on connection: OpaquePointer, omittingBody: Bool) -> MHD_Result {
    let body = omittingBody ? Data() : response.body
    let created = body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(
            bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), MHD_ResponseMemoryMode.RESPMEM_MUST_COPY)
    }
    guard let created else { return MHD_Result.NO }
    for header in response.headers {
        _ = MHD_add_response_header(created, header.name, header.value)
    }
    _ = MHD_add_response_header(created, "Cache-Control", "no-store")
    let result = MHD_queue_response(connection, UInt32(response.status), created)
    MHD_destroy_response(created)
    return result
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

// Fuzz target "server-connection": the host's RPC server serving a connection whose other end
// writes the input and then shuts its side down, twice per input: one end of a socket pair handed
// to the server (the way vsock connections come), and a connection to the VM's Unix socket, which
// the listener reads at once and may answer without a connection object (the one-shot path).
// Besides not crashing,
// it checks: the server always closes the connection (end of stream, never a hang), every
// byte it sends back is a whole reply packet whose payload starts `1 ` or `0 `, it never
// answers more requests than the input held whole packets, and once the client sees the end
// of stream the server has forgotten the connection.

import Dispatch
import Foundation
import Glibc

/// Answers `echo ARGS` with `1 ARGS` and `big N` with N (0 to 100,000) bytes.
final class FuzzEchoService: RPCService {
    func handle(_ request: RPCRequest) -> RPCReply {
        switch request.command {
        case "echo": return .success(request.argumentText)
        case "big":
            let count = max(0, min(Int(request.argumentText) ?? 0, 100_000))
            return RPCReply(succeeded: true, payload: [UInt8](repeating: 0x42, count: count))
        default: return .failure("unexpected command")
        }
    }
}

let fuzzServer: RPCServer = {
    let directory = "/tmp/guestsdk-fuzz-server-\(getpid())"
    let server = RPCServer(
        configuration: RPCServer.Configuration(stateDirectory: directory, maximumPacketLength: 4096),
        logger: .disabled)
    let router = Router()
    router.register(command: "echo", to: FuzzEchoService())
    router.register(command: "big", to: FuzzEchoService())
    try! server.addVM(VMEndpointConfiguration(name: "vm"), router: router)
    atexit { try? FileManager.default.removeItem(atPath: "/tmp/guestsdk-fuzz-server-\(getpid())") }
    return server
}()

/// The number of whole packets (by their length words alone) at the start of `bytes`.
func wholePacketCount(_ bytes: [UInt8]) -> Int {
    var offset = 0
    var count = 0
    while bytes.count - offset >= 4 {
        let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length <= 4096, bytes.count - offset - 4 >= length else { break }
        offset += 4 + length
        count += 1
    }
    return count
}

/// The client end of a socket pair whose other end the server serves; nil when out of descriptors.
func connectionThroughSocketPair() -> Int32? {
    var pair: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { return nil }
    let (serverEnd, client) = (pair[0], pair[1])
    _ = fcntl(serverEnd, F_SETFL, fcntl(serverEnd, F_GETFL) | O_NONBLOCK)
    fuzzServer.serve(serverEnd, vmName: "vm", peer: .unix(descriptor: serverEnd))
    return client
}

/// A connection to the VM's Unix socket; nil when out of descriptors.
func connectionThroughListener() -> Int32? {
    let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard client >= 0 else { return nil }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let path = Array(fuzzServer.socketPath(forVM: "vm").utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in path.enumerated() { raw[index] = byte }
    }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(client, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
        }
    }
    precondition(connected == 0, "connect to the VM's socket failed: errno \(errno)")
    return client
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerConnection(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: min(size, 65536)))
    if let client = connectionThroughSocketPair() { exchange(input, over: client) }
    if let client = connectionThroughListener() { exchange(input, over: client) }
    return 0
}

/// Writes `input`, shuts the writing side down, reads to the end of stream, and checks what came
/// back; closes `client`.
func exchange(_ input: [UInt8], over client: Int32) {
    defer { _ = close(client) }

    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var offset = 0
    while offset < input.count {
        let sent = input.withUnsafeBytes {
            send(client, $0.baseAddress! + offset, input.count - offset, Int32(MSG_NOSIGNAL))
        }
        guard sent > 0 else { break }  // the server closed early (a bad packet): fine
        offset += sent
    }
    shutdown(client, Int32(SHUT_WR))

    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress!, $0.count, 0) }
        if count == 0 { break }
        if count < 0 {
            let error = errno
            if error == EINTR { continue }
            precondition(error == ECONNRESET, "the server neither answered nor closed: errno \(error)")
            break
        }
        received += buffer[0..<count]
    }

    var replies = 0
    var framer = PacketFramer(maximumLength: Int(Int32.max) - 4)
    framer.append(received)
    while let packet = try! framer.nextPacket() {
        let reply = try! RPCPacket(decoding: packet, maximumLength: packet.count)
        precondition(RPCReply(wireBytes: reply.payload) != nil, "a reply without the 1/0 prefix")
        replies += 1
    }
    precondition(framer.bufferedByteCount == 0, "the server sent a partial reply packet")
    precondition(replies <= wholePacketCount(input), "more replies than whole requests")
    precondition(fuzzServer.statistics.connectionsOpen == 0, "the server still holds the connection")
}

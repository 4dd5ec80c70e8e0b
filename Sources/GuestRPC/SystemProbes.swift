// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// What `SystemCheck` asks of the machine, as closures so tests can answer instead.
struct SystemProbes {
    var hypervisor: () -> Hypervisor
    var fileExists: (String) -> Bool
    var vsockAddressFamily: () -> Int32?
    var kernelRelease: () -> String
    var bindPrivilegedVSockPort: () -> Result<Void, SystemCallFailure>
    var makeChannel: (Endpoint) throws -> any RPCChannel
    var libraryLoads: (String) -> Bool

    /// The probes of this machine. Channels to explicit endpoints get a 5 s I/O timeout.
    static func live(logger: Logger) -> SystemProbes {
        SystemProbes(
            hypervisor: Hypervisor.detect,
            fileExists: SystemProbes.fileExists,
            vsockAddressFamily: { VSockConnector(cid: 0, port: 0, logger: logger).addressFamily() },
            kernelRelease: SystemProbes.kernelRelease,
            bindPrivilegedVSockPort: SystemProbes.bindPrivilegedVSockPort,
            makeChannel: { endpoint in
                switch endpoint {
                case .unix(let path):
                    return StreamChannel.unix(
                        path: path, oneShot: true, logger: logger, ioTimeoutSeconds: 5)
                case .vsock(let cid, let port):
                    let connector = VSockConnector(cid: cid, port: port, logger: logger)
                    return StreamChannel(
                        connector: connector, oneShot: true, logger: logger, ioTimeoutSeconds: 5)
                case .auto, .backdoor:
                    return try RPCChannelFactory.makeChannel(
                        for: endpoint, oneShot: true, logger: logger)
                }
            },
            libraryLoads: { name in
                guard let handle = dlopen(name, RTLD_LAZY) else { return false }
                dlclose(handle)
                return true
            }
        )
    }

    /// True when `path` names an existing file, a symbolic link followed to its target (stat(2)),
    /// as Foundation's `FileManager.fileExists(atPath:)` answers.
    static func fileExists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    /// The kernel release from uname(2), such as `6.1.0-18-amd64`.
    static func kernelRelease() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &names.release) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// Binds vsock port 1023 on any local CID and closes at once: a bind, never a connection.
    static func bindPrivilegedVSockPort() -> Result<Void, SystemCallFailure> {
        let system = LinuxVSockSystem()
        let socket: Int32
        switch system.makeSocket(
            family: VSockAddress.linuxAddressFamily, type: Int32(SOCK_STREAM.rawValue))
        {
        case .success(let descriptor): socket = descriptor
        case .failure(let failure): return .failure(failure)
        }
        defer { system.close(socket) }
        let address = VSockAddress(
            family: UInt16(VSockAddress.linuxAddressFamily),
            port: VSockConnector.highestPrivilegedPort,
            cid: VSockAddress.any
        )
        if let failure = system.bind(socket, to: address) {
            return .failure(failure)
        }
        return .success(())
    }
}

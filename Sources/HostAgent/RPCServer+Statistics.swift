// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import GuestRPC
import Synchronization

/// Why the server closed a connection after a packet it could not use.
public enum BadPacketReason: String, Sendable, CaseIterable {
    /// The length word announces more than the server's maximum packet length.
    case oversizedLength = "oversized-length"
    /// The DataMap breaks a decoder rule of PROTOCOL.md §4.3.
    case malformedDataMap = "malformed-datamap"
    /// Field 2 is an empty STRING (PROTOCOL.md §12 #13).
    case emptyPayload = "empty-payload"
    /// The DataMap is well formed but has no STRING in field 2.
    case missingPayload = "missing-payload"
    /// The peer closed the connection in the middle of a packet (an incomplete packet was
    /// buffered at end of stream).
    case truncated = "truncated"

    /// Classifies a framing or decoding error.
    init(_ error: any Error) {
        switch error {
        case DataMapError.tooLong: self = .oversizedLength
        case DataMapError.invalidStringLength(0, field: RPCPacket.Field.payload):
            self = .emptyPayload
        case RPCPacketError.missingPayload: self = .missingPayload
        default: self = .malformedDataMap
        }
    }
}

extension RPCServer {
    /// Counters since the server was created, for the metrics endpoint.
    public struct Statistics: Sendable, Equatable {
        /// Connections accepted on every listener, Unix and vsock.
        public var connectionsAccepted = 0
        /// Connections open now.
        public var connectionsOpen = 0
        /// Connections closed at once because their VM held `maximumConnectionsPerVM` already.
        public var connectionsRefused = 0
        /// Connections closed after a bad packet, by reason.
        public var badPackets: [BadPacketReason: Int] = [:]
        /// Requests answered, by VM name, including refused ones.
        public var requestsByVM: [String: Int] = [:]
        /// Requests refused with `0 Permission denied` by the secure channel.
        public var refusedRequests = 0

        /// Creates empty counters.
        public init() {}
    }

    /// One answered request, handed to `Configuration.requestObserver`.
    public struct RequestRecord: Sendable, Equatable {
        /// The VM whose endpoint received the request.
        public var vmName: String
        /// The command: the request text before the first space.
        public var command: String
        /// True when the reply was `1 …`.
        public var succeeded: Bool
        /// True when the secure channel refused the request.
        public var wasRefused: Bool
        /// How long the router took to answer.
        public var duration: Duration
    }

    /// The counters as they are now.
    public var statistics: Statistics {
        self.lock.withLock {
            var counters = self.counters
            for tally in self.requestTalliesLocked() where tally.count > 0 {
                counters.requestsByVM[tally.vmName, default: 0] += tally.count
            }
            return counters
        }
    }

    /// Counts one answered request of `vm`.
    func countRequest(of vm: VMContext, wasRefused: Bool) {
        vm.requests.add()
        if wasRefused {
            self.lock.withLock { self.counters.refusedRequests += 1 }
        }
    }

    func recordBadPacket(_ reason: BadPacketReason) {
        self.lock.withLock { self.counters.badPackets[reason, default: 0] += 1 }
    }
}

/// One VM's count of answered requests, beside its context: counting takes no lock and no lookup by name.
final class RequestTally: Sendable {
    private let requests = Atomic<Int>(0)

    /// Counts one request.
    func add() {
        self.requests.wrappingAdd(1, ordering: .relaxed)
    }

    /// The requests counted so far.
    var count: Int {
        self.requests.load(ordering: .relaxed)
    }
}

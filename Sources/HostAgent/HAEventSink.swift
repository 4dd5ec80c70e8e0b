// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// Where the HA engine delivers its events, in sequence order.
///
/// The engine calls `record(_:)` while holding its lock, before it acts on the event, so a sink
/// sees events in order and may persist them first. A sink must return quickly and must not call
/// back into the engine.
public protocol HAEventSink: AnyObject, Sendable {
    /// Takes one event.
    ///
    /// - Parameter event: the event; its sequence number is one more than the previous one's.
    func record(_ event: HAEvent)
}

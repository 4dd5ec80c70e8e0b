// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation

extension HostDaemon {
    /// What injecting a fault did.
    public struct FaultResult: Equatable, Sendable, Codable {
        /// The VM.
        public var vm: String
        /// The fault's name.
        public var fault: String
        /// The VM's statistics session id after the fault, as decimal text.
        public var sessionId: String
        /// Connections closed by `drop-connections`.
        public var connectionsClosed: Int?
    }

    /// Injects a fault into a VM; the fault is recorded as a `fault-injected` event first.
    ///
    /// - Parameters:
    ///   - fault: the fault.
    ///   - name: the VM's name.
    /// - Returns: what it did.
    /// - Throws: `HTTPError` 404 for an unknown VM, or what storing throws.
    @discardableResult
    public func inject(_ fault: HostFault, intoVM name: String) throws -> FaultResult {
        guard var definition = self.definition(ofVM: name) else {
            throw HTTPError(status: 404, message: "no VM named \(name)")
        }
        var fields = ["fault": fault.name]
        if case .delay(let milliseconds) = fault { fields["milliseconds"] = "\(milliseconds)" }
        if let argument = Self.argument(of: fault) { fields["value"] = argument }
        let state = self.engine.state(ofVM: name)
        try self.store.append(
            StoredEvent(
                date: self.clock.now, vmName: name, kind: "fault-injected", fields: fields,
                appStatus: state?.status.rawValue ?? AppHeartbeatStatus.appStatusGray.rawValue,
                appState: state?.appState.rawValue ?? AppState.none.rawValue))
        let statistics = self.guestLib.statistics(forVM: name)
        var closed: Int?
        switch fault {
        case .vMotion:
            statistics.vMotion()
            try self.engine.vMotion(vmNamed: name)
        case .suspendResume:
            statistics.resume()
        case .snapshotRevert:
            statistics.revertSnapshot()
        case .hostProtocol(let version):
            definition.statistics = Self.changing(definition.statistics) { $0.host.protocolVersion = version }
        case .guestLib(let enabled):
            definition.statistics = Self.changing(definition.statistics) { $0.host.isGuestLibEnabled = enabled }
        case .hostInfo(let enabled):
            definition.statistics = Self.changing(definition.statistics) { $0.host.isHostInfoEnabled = enabled }
        case .appMonitoring(let supported):
            definition.appMonitoringSupported = supported
        case .delay(let milliseconds):
            self.changeFaultPlan(ofVM: name) { $0.replyDelay = .milliseconds(milliseconds) }
        case .dropConnections:
            closed = self.rpcServer.dropConnections(ofVM: name)
        case .hang(let hung):
            self.changeFaultPlan(ofVM: name) { $0.isHung = hung }
        case .clear:
            self.rpcServer.setFaultPlan(.none, forVM: name)
        }
        if fault.changesDefinition {
            try self.updateVM(definition)
        }
        self.logger.info("fault injected", ["vm": name, "fault": fault.name, "value": Self.argument(of: fault) ?? ""])
        return FaultResult(
            vm: name, fault: fault.name, sessionId: String(statistics.sessionID), connectionsClosed: closed)
    }

    private func changeFaultPlan(ofVM name: String, _ change: (inout FaultPlan) -> Void) {
        var plan = self.rpcServer.faultPlan(forVM: name) ?? .none
        change(&plan)
        self.rpcServer.setFaultPlan(plan, forVM: name)
    }

    private static func changing(
        _ statistics: VMStatisticsConfiguration?, _ change: (inout VMStatisticsConfiguration) -> Void
    ) -> VMStatisticsConfiguration {
        var result = statistics ?? VMStatisticsConfiguration()
        change(&result)
        return result
    }

    private static func argument(of fault: HostFault) -> String? {
        switch fault {
        case .hostProtocol(let version): version.rawValue
        case .guestLib(let enabled), .hostInfo(let enabled), .hang(let enabled): "\(enabled)"
        case .appMonitoring(let supported): "\(supported)"
        case .delay(let milliseconds): "\(milliseconds)ms"
        default: nil
        }
    }
}

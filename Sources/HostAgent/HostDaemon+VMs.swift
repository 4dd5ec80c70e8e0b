// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// Adding, changing, removing and resuming VMs. Each change is committed to the state store
/// first, then applied to the engine, the statistics service and the RPC server.
extension HostDaemon {
    /// What a config reload changed.
    public struct ReloadSummary: Equatable, Sendable, Codable {
        /// VMs added.
        public var added: [String] = []
        /// VMs removed.
        public var removed: [String] = []
        /// VMs whose definition changed.
        public var changed: [String] = []
        /// Settings that only a restart applies (state directory, control listener, vsock).
        public var needsRestart: [String] = []
    }

    /// Adds a VM and serves it.
    ///
    /// - Parameters:
    ///   - definition: the VM.
    ///   - origin: who defines it; a config reload leaves `api` VMs alone.
    /// - Throws: `HTTPError` 409 when the name is taken, `VMDefinitionError` for a bad definition,
    ///   or what storing or serving it throws (the VM is then not added).
    public func addVM(_ definition: VMDefinition, origin: StoredVM.Origin = .api) throws {
        try definition.validate()
        try self.lock.withLock {
            guard self.served[definition.name] == nil else {
                throw HTTPError(status: 409, message: "VM \(definition.name) exists")
            }
            try self.store.saveVM(try Self.stored(definition, origin: origin), poweredOnAt: self.clock.now)
            do {
                try self.engine.addVM(
                    named: definition.name, settings: definition.settings,
                    appMonitoringSupported: definition.appMonitoringSupported)
                try self.serve(definition, origin: origin)
            } catch {
                try? self.engine.removeVM(named: definition.name)
                try? self.store.removeVM(named: definition.name)
                throw error
            }
        }
        self.logVM("VM added", definition, origin: origin)
    }

    /// Replaces a VM's definition, applying only what changed.
    ///
    /// A new endpoint (socket owner, secure channel, fault tolerance, vsock CID) closes the VM's
    /// connections; HA settings, app monitoring support, statistics and the reset action change
    /// in place.
    ///
    /// - Parameters:
    ///   - definition: the new definition.
    ///   - origin: who defines it now; nil keeps the current origin.
    /// - Returns: the names of the parts that changed, such as `ha` or `statistics`.
    /// - Throws: `HTTPError` 404 for an unknown VM, or what validating, storing or serving throws.
    @discardableResult
    public func updateVM(_ definition: VMDefinition, origin: StoredVM.Origin? = nil) throws -> [String] {
        try definition.validate()
        let changes: [String] = try self.lock.withLock {
            guard let current = self.served[definition.name] else {
                throw HTTPError(status: 404, message: "no VM named \(definition.name)")
            }
            let newOrigin = origin ?? current.origin
            try self.store.saveVM(try Self.stored(definition, origin: newOrigin))
            let old = current.definition
            var changes: [String] = []
            if old.settings != definition.settings || old.preset != definition.preset {
                try self.engine.updateSettings(definition.settings, forVM: definition.name)
                changes.append("ha")
            }
            if old.appMonitoringSupported != definition.appMonitoringSupported {
                try self.engine.setAppMonitoringSupported(definition.appMonitoringSupported, forVM: definition.name)
                changes.append("appMonitoringSupported")
            }
            if old.statisticsFile != definition.statisticsFile {
                self.guestLib.addVM(
                    named: definition.name, configuration: definition.statistics ?? VMStatisticsConfiguration(),
                    configurationFile: definition.statisticsFile)
                changes.append("statisticsFile")
            } else if old.statistics != definition.statistics {
                self.guestLib.statistics(forVM: definition.name).setConfiguration(
                    definition.statistics ?? VMStatisticsConfiguration())
                changes.append("statistics")
            }
            if old.resetAction != definition.resetAction {
                self.resetActions.setAction(definition.makeResetAction(), forVM: definition.name)
                changes.append("resetAction")
            }
            let endpoint = try definition.endpointConfiguration()
            if try old.endpointConfiguration() != endpoint {
                let faults = self.rpcServer.faultPlan(forVM: definition.name) ?? .none
                self.rpcServer.removeVM(named: definition.name)
                try self.rpcServer.addVM(endpoint, router: self.router)
                self.rpcServer.setFaultPlan(faults, forVM: definition.name)
                changes.append("endpoint")
            }
            if current.origin != newOrigin { changes.append("origin") }
            self.served[definition.name] = ServedVM(definition: definition, origin: newOrigin)
            return changes
        }
        if !changes.isEmpty {
            self.logger.info("VM changed", ["vm": definition.name, "changed": changes.joined(separator: ",")])
        }
        return changes
    }

    /// Stops serving a VM and forgets its state; its events stay in the store.
    ///
    /// - Parameter name: the VM's name.
    /// - Throws: `HTTPError` 404 for an unknown VM, or what the store throws.
    public func removeVM(named name: String) throws {
        try self.lock.withLock {
            guard self.served[name] != nil else { throw HTTPError(status: 404, message: "no VM named \(name)") }
            try self.store.removeVM(named: name)
            self.rpcServer.removeVM(named: name)
            try? self.engine.removeVM(named: name)
            self.guestLib.removeVM(named: name)
            self.resetActions.setAction(nil, forVM: name)
            self.served[name] = nil
        }
        self.logger.info("VM removed", ["vm": name])
    }

    /// Reads the config file again (without one, takes the running configuration) and applies its
    /// VMs: adds new ones, removes config VMs it no longer names, changes the ones whose definition
    /// differs. VMs added through the control API stay unless the file now defines them.
    ///
    /// - Parameter configuration: the new configuration; the config file is read when nil.
    /// - Returns: what changed.
    /// - Throws: `HostConfigurationError` when the file cannot be used (nothing is changed then).
    @discardableResult
    public func reload(_ configuration: HostConfiguration? = nil) throws -> ReloadSummary {
        try self.reloadLock.withLock { try self.reloadLocked(configuration) }
    }

    private func reloadLocked(_ configuration: HostConfiguration?) throws -> ReloadSummary {
        let next: HostConfiguration
        if let configuration {
            next = configuration
        } else if let path = self.options.configurationFile {
            var loaded = try HostConfiguration.load(contentsOf: path, defaultStateDirectory: self.stateDirectory)
            if let directory = self.options.stateDirectoryOverride { loaded.stateDirectory = directory }
            if let port = self.options.controlPortOverride { loaded.control.port = port }
            next = loaded
        } else {
            next = self.lock.withLock { self.configuration }
        }
        var summary = ReloadSummary()
        let current = self.lock.withLock { self.configuration }
        if next.stateDirectory != current.stateDirectory { summary.needsRestart.append("stateDirectory") }
        if next.control != current.control { summary.needsRestart.append("control") }
        if next.vsock != current.vsock { summary.needsRestart.append("vsock") }
        if next.resetDelaySeconds != current.resetDelaySeconds { summary.needsRestart.append("resetDelaySeconds") }
        let wanted = Set(next.vms.map(\.name))
        let configVMs = self.lock.withLock { self.served.filter { $0.value.origin == .config }.map(\.key) }
        for name in configVMs.sorted() where !wanted.contains(name) {
            do {
                try self.removeVM(named: name)
                summary.removed.append(name)
            } catch {
                self.logger.error("reload could not remove VM", ["vm": name, "error": "\(error)"])
            }
        }
        summary.merge(self.applyConfigurationVMsReporting(next.vms))
        self.lock.withLock {
            var kept = next
            kept.stateDirectory = current.stateDirectory
            kept.control = current.control
            kept.vsock = current.vsock
            kept.resetDelaySeconds = current.resetDelaySeconds
            self.configuration = kept
        }
        self.logger.notice(
            "config reloaded",
            [
                "added": summary.added.joined(separator: ","), "removed": summary.removed.joined(separator: ","),
                "changed": summary.changed.joined(separator: ","),
                "needsRestart": summary.needsRestart.joined(separator: ","),
            ])
        return summary
    }

    // MARK: Start-up

    /// Serves every VM the store holds, as it was when the previous run ended.
    func resumeStoredVMs() throws {
        let monitoring = try self.store.monitoringStates()
        let resets = try self.store.latestEventIDs(ofKinds: ["reset-started", "reset-done"])
        let needResets = try self.store.latestEventIDs(ofKinds: ["need-reset-posted", "reset-held-back"])
        let now = self.clock.now
        for stored in try self.store.vms() {
            let definition: VMDefinition
            do {
                definition = try JSONDecoder().decode(VMDefinition.self, from: stored.definition)
            } catch {
                self.logger.error("stored VM not resumed", ["vm": stored.name, "error": "\(error)"])
                continue
            }
            let state = monitoring[stored.name]
            let restoration = HAVMRestoration(
                isEnabled: state?.isEnabled ?? false,
                appState: state.flatMap { AppState(rawValue: $0.appState) } ?? .none,
                uptime: .milliseconds(Int64(max(0, now.timeIntervalSince(state?.poweredOnAt ?? now)) * 1000)),
                resetAges: (state?.resetTimes ?? []).map {
                    .milliseconds(Int64(max(0, now.timeIntervalSince($0)) * 1000))
                },
                needResetHeldBack: try self.storedNeedResetHold(of: stored.name, latestIDs: needResets[stored.name]))
            let status = restoration.isEnabled ? AppHeartbeatStatus.appStatusGreen : .appStatusGray
            if let started = resets[stored.name]?["reset-started"], started > resets[stored.name]?["reset-done"] ?? 0 {
                // The reset action was running when the agent died: say so rather than run it twice.
                try self.store.append(
                    StoredEvent(
                        date: now, vmName: definition.name, kind: "reset-interrupted",
                        fields: ["resetStartedEvent": "\(started)"], appStatus: status.rawValue,
                        appState: restoration.appState.rawValue))
                self.logger.warning(
                    "reset action cut short by the agent's restart; its outcome is unknown",
                    ["vm": definition.name, "resetStartedEvent": "\(started)"])
            }
            try self.lock.withLock {
                try self.store.append(
                    StoredEvent(
                        date: now, vmName: definition.name, kind: "vm-resumed",
                        fields: ["enabled": "\(restoration.isEnabled)"], appStatus: status.rawValue,
                        appState: restoration.appState.rawValue))
                try self.engine.restoreVM(
                    named: definition.name, settings: definition.settings,
                    appMonitoringSupported: definition.appMonitoringSupported, restoration: restoration)
                try self.serve(definition, origin: stored.origin)
            }
            self.logVM("VM resumed", definition, origin: stored.origin, enabled: restoration.isEnabled)
        }
    }

    /// Why the VM's latest need-reset was held back, when a `reset-held-back` event for it came
    /// after the need-reset was posted.
    ///
    /// - Parameter latestIDs: the VM's latest `need-reset-posted` and `reset-held-back` ids.
    private func storedNeedResetHold(of vmName: String, latestIDs: [String: Int64]?) throws -> ResetHoldReason? {
        guard let heldID = latestIDs?["reset-held-back"], heldID > latestIDs?["need-reset-posted"] ?? 0 else {
            return nil
        }
        let held = try self.store.events(after: heldID - 1, limit: 1, vmName: vmName, kind: "reset-held-back")
        guard let fields = held.first?.fields, fields["cause"] == ResetCause.appStateNeedReset.rawValue else {
            return nil
        }
        return fields["reason"].flatMap(ResetHoldReason.init(rawValue:))
    }

    /// Adds or changes the VMs a configuration defines.
    func applyConfigurationVMs(_ definitions: [VMDefinition]) throws {
        _ = self.applyConfigurationVMsReporting(definitions)
    }

    private func applyConfigurationVMsReporting(_ definitions: [VMDefinition]) -> ReloadSummary {
        var summary = ReloadSummary()
        for definition in definitions {
            let existing = self.lock.withLock { self.served[definition.name] }
            do {
                if let existing {
                    if existing.definition != definition || existing.origin != .config {
                        try self.updateVM(definition, origin: .config)
                        summary.changed.append(definition.name)
                    }
                } else {
                    try self.addVM(definition, origin: .config)
                    summary.added.append(definition.name)
                }
            } catch {
                self.logger.error("config VM not applied", ["vm": definition.name, "error": "\(error)"])
            }
        }
        return summary
    }

    /// Registers a VM with the statistics service, its reset action and the RPC server.
    /// Runs under `lock`, after the engine knows the VM.
    private func serve(_ definition: VMDefinition, origin: StoredVM.Origin) throws {
        self.guestLib.addVM(
            named: definition.name, configuration: definition.statistics ?? VMStatisticsConfiguration(),
            configurationFile: definition.statisticsFile)
        self.resetActions.setAction(definition.makeResetAction(), forVM: definition.name)
        do {
            try self.rpcServer.addVM(try definition.endpointConfiguration(), router: self.router)
        } catch {
            self.guestLib.removeVM(named: definition.name)
            self.resetActions.setAction(nil, forVM: definition.name)
            throw error
        }
        self.served[definition.name] = ServedVM(definition: definition, origin: origin)
    }

    private func logVM(_ message: String, _ definition: VMDefinition, origin: StoredVM.Origin, enabled: Bool? = nil) {
        let settings = definition.settings
        self.logger.info(
            message,
            [
                "vm": definition.name, "origin": origin.rawValue, "preset": definition.preset?.rawValue ?? "custom",
                "vmMonitoring": settings.vmMonitoring.rawValue, "failureInterval": "\(settings.failureInterval)",
                "minUpTime": "\(settings.minUpTime)", "enabled": enabled.map { "\($0)" } ?? "false",
            ])
    }

    static func stored(_ definition: VMDefinition, origin: StoredVM.Origin) throws -> StoredVM {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return StoredVM(name: definition.name, definition: try encoder.encode(definition), origin: origin)
    }
}

extension HostDaemon.ReloadSummary {
    mutating func merge(_ other: HostDaemon.ReloadSummary) {
        self.added += other.added
        self.removed += other.removed
        self.changed += other.changed
        self.needsRestart += other.needsRestart
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

extension RPCServer {
    /// Makes a VM's endpoint delay its replies or stop answering (see `FaultPlan`).
    ///
    /// - Parameters:
    ///   - plan: the new plan; `.none` answers normally again.
    ///   - name: the VM's name.
    /// - Returns: false when no VM of that name is served.
    @discardableResult
    public func setFaultPlan(_ plan: FaultPlan, forVM name: String) -> Bool {
        guard let faults = self.faultPlanBox(forVM: name) else { return false }
        faults.plan = plan
        return true
    }

    /// The fault plan of a VM's endpoint, or nil when no VM of that name is served.
    public func faultPlan(forVM name: String) -> FaultPlan? {
        self.faultPlanBox(forVM: name)?.plan
    }
}

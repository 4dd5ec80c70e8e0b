// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// What a soak measured and found, written as JSON beside the test output.
struct SoakReport: Codable {
    var vms = 0
    var seed: UInt64 = 0
    var wallSeconds = 0.0
    var requests = 0
    var heartbeats = 0
    var faults: [String: Int] = [:]
    var events = 0
    var lastEventID: UInt64 = 0
    var failedEventCommits = 0
    var sequenceGaps = 0
    var eventsMissing = 0
    var eventsUnexpected = 0
    var resetsExpected = 0
    var resetsDone = 0
    var falseResets = 0
    var missedResets = 0
    var falseReds = 0
    var reds = 0
    var redLatenessP50Milliseconds = 0.0
    var redLatenessP99Milliseconds = 0.0
    var redLatenessMaxMilliseconds = 0.0
    var anomalies = 0
    var anomalySamples: [String] = []
    var mismatchSamples: [String] = []
    var ambiguousVMs = 0
    var ambiguousVMResets = 0
    var driverMaxLatenessMilliseconds = 0.0
    var driverStepsLateOverOneSecond = 0
    var agentCPUSeconds = 0.0
    var agentCPUShareOfOneCore = 0.0
    var peakRSSMegabytes = 0.0
    var scrapes = 0
    var slowestScrapeMilliseconds = 0.0
    var slowestFeedMilliseconds = 0.0
    var metricsLines = 0
    var metricsVMs = 0
}

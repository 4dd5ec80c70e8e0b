// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Dispatch
import Foundation

extension HostDaemon {
    /// Serves until SIGTERM or SIGINT, then stops gracefully; SIGHUP reloads the config file.
    ///
    /// The signals' default actions are ignored first (SIG_IGN), then Dispatch signal sources on
    /// one serial queue handle them, so a signal arriving before the sources are ready is not lost
    /// to the default action. SIGPIPE is ignored for the whole process.
    ///
    /// - Returns: the signal that ended the run.
    public func runUntilTerminated() -> Int32 {
        for number in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] {
            signal(number, SIG_IGN)
        }
        let queue = DispatchQueue(label: "guestsdk.daemon.signals")
        let finished = DispatchSemaphore(value: 0)
        let received = SignalBox()
        var sources: [DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                guard received.value == 0 else { return }
                received.value = number
                self?.logger.notice("shutting down", ["signal": Self.signalName(number)])
                self?.stop()
                finished.signal()
            }
            sources.append(source)
        }
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangUp.setEventHandler { [weak self] in
            guard let self else { return }
            self.logger.notice("reloading", ["signal": "SIGHUP"])
            do {
                try self.reload()
            } catch {
                self.logger.error("reload failed; keeping the running configuration", ["error": "\(error)"])
            }
        }
        sources.append(hangUp)
        sources.forEach { $0.resume() }
        finished.wait()
        sources.forEach { $0.cancel() }
        return received.value
    }

    private static func signalName(_ number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "\(number)"
        }
    }
}

/// The signal that ended a run, set on the signal queue.
private final class SignalBox: @unchecked Sendable {
    var value: Int32 = 0
}

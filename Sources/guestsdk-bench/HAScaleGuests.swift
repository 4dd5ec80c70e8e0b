// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Foundation
import GuestRPC

/// The guest side of `ha-scale`, run as a child process so that guests and agent each stay under
/// the per-process open-file limit.
///
/// `guestsdk-bench ha-scale-guests <socket-dir> <count> <seconds> <stop-every>` connects one socket
/// per guest (`<socket-dir>/vm-<i>.sock`), enables monitoring on each, prints `ready`, waits for a
/// line on standard input, then sends `MarkActive` once a second per guest for `seconds`, guest `i`
/// at offset `i/count` within each second, on its kept connection. Every `stop-every`-th guest
/// stops (without `Disable`) at a time spread from 5 s to 35 s before the end (5–25 s in a 60 s
/// run), so its red falls inside the run. At the end it prints one JSON line: heartbeats sent,
/// failures, and how late the latest beat went out.
enum HAScaleGuests {
    static let threadCount = 4

    /// When guest `index` stops heartbeating, in seconds after the start, or nil when it never
    /// does.
    static func stopTime(index: Int, count: Int, stopEvery: Int, seconds: Double) -> Double? {
        guard index % stopEvery == 0 else { return nil }
        let stopping = (count + stopEvery - 1) / stopEvery
        let spread = max(0, seconds - 40)
        return 5 + spread * Double(index / stopEvery) / Double(max(1, stopping - 1))
    }

    static func main(_ arguments: [String]) -> Never {
        guard arguments.count == 4, let count = Int(arguments[1]),
            let seconds = Double(arguments[2]),
            let stopEvery = Int(arguments[3]), count > 0, stopEvery > 0
        else {
            FileHandle.standardError.write(
                Data("usage: guestsdk-bench ha-scale-guests DIR COUNT SECONDS STOP\n".utf8))
            exit(64)
        }
        _ = raiseOpenFileLimit()
        let directory = arguments[0]
        let enable = RPCPacket(payload: Array("GuestAppMonitor.Cmd.Enable".utf8)).encoded()
        var sockets: [BlockingSocket] = []
        do {
            for index in 0..<count {
                let socket = try BlockingSocket(path: "\(directory)/vm-\(index).sock")
                try socket.write(enable)
                guard try socket.readReply() == .success("0") else {
                    throw Failure("Enable refused")
                }
                sockets.append(socket)
            }
        } catch {
            FileHandle.standardError.write(Data("ha-scale-guests: setup failed: \(error)\n".utf8))
            exit(1)
        }
        print("ready")
        fflush(stdout)
        _ = readLine()

        let start = DispatchTime.now().uptimeNanoseconds
        let results = ResultBox()
        let group = DispatchGroup()
        for thread in 0..<threadCount {
            let mine = stride(from: thread, to: count, by: threadCount).map { index in
                Guest(
                    socket: sockets[index], phase: Double(index) / Double(count),
                    stopTime: stopTime(
                        index: index, count: count, stopEvery: stopEvery, seconds: seconds))
            }
            group.enter()
            Thread.detachNewThread {
                results.add(heartbeat(mine, start: start, seconds: seconds))
                group.leave()
            }
        }
        group.wait()
        print(results.json)
        exit(0)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct Guest: Sendable {
        var socket: BlockingSocket
        var phase: Double
        var stopTime: Double?
    }

    struct Tally {
        var sent = 0
        var failed = 0
        var maximumLateness = 0.0
    }

    /// Sends each guest's beats on schedule: every 2 ms, writes the due beats, then reads their
    /// replies.
    static func heartbeat(_ guests: [Guest], start: UInt64, seconds: Double) -> Tally {
        let request = RPCPacket(payload: Array("GuestAppMonitor.Cmd.MarkActive".utf8)).encoded()
        var tally = Tally()
        var position = 0
        var round = 0
        var due: [Int] = []
        while true {
            let now = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard now < seconds else { break }
            due.removeAll(keepingCapacity: true)
            while !guests.isEmpty, Double(round) + guests[position].phase <= now {
                let guest = guests[position]
                let scheduled = Double(round) + guest.phase
                if guest.stopTime.map({ scheduled < $0 }) ?? true {
                    due.append(position)
                    tally.maximumLateness = max(tally.maximumLateness, now - scheduled)
                }
                position += 1
                if position == guests.count {
                    position = 0
                    round += 1
                }
            }
            for index in due {
                do { try guests[index].socket.write(request) } catch { tally.failed += 1 }
            }
            for index in due {
                do {
                    let reply = try guests[index].socket.readReply()
                    if reply == .success("0") { tally.sent += 1 } else { tally.failed += 1 }
                } catch {
                    tally.failed += 1
                }
            }
            usleep(2000)
        }
        return tally
    }

    /// Adds up the threads' tallies.
    final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var total = Tally()

        func add(_ tally: Tally) {
            self.lock.withLock {
                self.total.sent += tally.sent
                self.total.failed += tally.failed
                self.total.maximumLateness = max(self.total.maximumLateness, tally.maximumLateness)
            }
        }

        var json: String {
            self.lock.withLock {
                let lateness = String(format: "%.1f", self.total.maximumLateness * 1000)
                return "{\"sent\": \(self.total.sent), \"failed\": \(self.total.failed), "
                    + "\"maximumSendLatenessMs\": \(lateness)}"
            }
        }
    }
}

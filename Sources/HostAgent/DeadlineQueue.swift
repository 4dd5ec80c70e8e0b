// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A binary min-heap of deadlines, earliest first; O(log n) to add and to take the earliest.
///
/// The HA engine keeps one entry per VM and purpose and lets stale entries expire lazily (each
/// carries a generation the VM compares with its own), so a heartbeat never touches the queue.
struct DeadlineQueue<Payload> {
    struct Entry {
        var deadline: MonotonicInstant
        var payload: Payload
    }

    private var heap: [Entry] = []

    var count: Int { self.heap.count }

    var isEmpty: Bool { self.heap.isEmpty }

    /// The earliest deadline, or nil when the queue is empty.
    var earliestDeadline: MonotonicInstant? { self.heap.first?.deadline }

    mutating func insert(_ payload: Payload, at deadline: MonotonicInstant) {
        self.heap.append(Entry(deadline: deadline, payload: payload))
        var child = self.heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.heap[child].deadline < self.heap[parent].deadline else { break }
            self.heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest entry when its deadline is at or before `now`.
    mutating func popDue(at now: MonotonicInstant) -> Entry? {
        guard let first = self.heap.first, first.deadline <= now else { return nil }
        let last = self.heap.removeLast()
        guard !self.heap.isEmpty else { return first }
        self.heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < self.heap.count, self.heap[left].deadline < self.heap[smallest].deadline {
                smallest = left
            }
            if right < self.heap.count, self.heap[right].deadline < self.heap[smallest].deadline {
                smallest = right
            }
            guard smallest != parent else { break }
            self.heap.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    mutating func removeAll() {
        self.heap.removeAll()
    }
}

// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

/// A binary min-heap of guest indexes by due time.
struct SoakSchedule {
    private var heap: [(due: Double, index: Int)] = []

    func peek() -> (Double, Int)? {
        self.heap.first.map { ($0.due, $0.index) }
    }

    mutating func insert(_ index: Int, at due: Double) {
        self.heap.append((due, index))
        var child = self.heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard self.heap[child].due < self.heap[parent].due else { break }
            self.heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeFirst() {
        self.heap.swapAt(0, self.heap.count - 1)
        self.heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < self.heap.count && self.heap[left].due < self.heap[smallest].due { smallest = left }
            if right < self.heap.count && self.heap[right].due < self.heap[smallest].due { smallest = right }
            guard smallest != parent else { return }
            self.heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

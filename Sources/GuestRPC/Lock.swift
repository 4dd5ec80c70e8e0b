// GuestSDK: a Swift implementation of the vSphere Guest SDK and an HA host agent.
// Licensed under the Apache License, Version 2.0.

import Glibc

/// A mutual-exclusion lock over `pthread_mutex_t`, for the modules the C libraries link.
///
/// It stands in for Foundation's `NSLock` so that GuestRPC, GuestLib and AppMonitor
/// need no Foundation (which would add about 50 MB to each C library when linked
/// statically). The mutex lives in its own allocation, so its address never moves.
/// The lock is not recursive: locking it twice from one thread deadlocks.
package final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// Creates an unlocked lock (`pthread_mutex_init` with default attributes).
    package init() {
        self.mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        self.mutex.initialize(to: pthread_mutex_t())
        let result = pthread_mutex_init(self.mutex, nil)
        precondition(result == 0, "pthread_mutex_init failed with error \(result)")
    }

    deinit {
        pthread_mutex_destroy(self.mutex)
        self.mutex.deinitialize(count: 1)
        self.mutex.deallocate()
    }

    /// Waits for the lock and takes it (`pthread_mutex_lock`).
    package func lock() {
        let result = pthread_mutex_lock(self.mutex)
        precondition(result == 0, "pthread_mutex_lock failed with error \(result)")
    }

    /// Releases the lock this thread holds (`pthread_mutex_unlock`).
    package func unlock() {
        let result = pthread_mutex_unlock(self.mutex)
        precondition(result == 0, "pthread_mutex_unlock failed with error \(result)")
    }

    /// Runs `body` while holding the lock.
    ///
    /// - Parameter body: the work to do under the lock.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws, after releasing the lock.
    package func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        self.lock()
        defer { self.unlock() }
        return try body()
    }
}

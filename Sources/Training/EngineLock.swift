import Foundation

/// The engine keeps per-process state (the parallel-for's thread count, the layers'
/// shared scratch memory in `Workspace`), so two models must not compute at the same
/// time in one process. Stages that train or evaluate take this lock; with `-j N` they
/// queue here while other kinds of stage (downloads, tables) run beside them, and the
/// stage holding it may use every core.
public enum EngineLock {
    private static let lock = NSLock()

    public static func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Threads for the stage holding the lock: all cores, at most 8.
    public static var threads: Int { min(8, max(1, ProcessInfo.processInfo.activeProcessorCount)) }
}

import Foundation

/// Collects lock entries during a run and writes them with one read-modify-write under
/// the lock's flock. Entries of stages the pipeline no longer has are dropped then.
/// During a run it writes at most once a second (a 1,000-stage run would otherwise
/// rewrite a growing file 1,000 times); that is safe because each finished key already
/// has its run record in the store, so a stage whose entry a crash lost is reused, not rerun.
final class LockWriter: @unchecked Sendable {
    private let url: URL
    private let artifacts: Artifacts
    private let stageNames: Set<String>
    private let environment: [String: String]
    private let mutex = NSLock()
    private var pending: [String: StageRecord] = [:]
    private var lastWrite = Date.distantPast

    init(url: URL, artifacts: Artifacts, stageNames: Set<String>, environment: [String: String]) {
        self.url = url
        self.artifacts = artifacts
        self.stageNames = stageNames
        self.environment = environment
    }

    func record(_ stage: String, _ record: StageRecord) {
        mutex.withLock { pending[stage] = record }
    }

    /// Writes the pending entries; unless `now`, only if the last write is a second old.
    func flush(now: Bool = true) throws {
        try mutex.withLock {
            guard !pending.isEmpty, now || Date().timeIntervalSince(lastWrite) >= 1 else { return }
            try LockFile.update(url, artifacts: artifacts) { lock in
                for (stage, record) in pending { lock.stages[stage] = record }
                lock.stages = lock.stages.filter { stageNames.contains($0.key) }
                lock.environment = environment
            }
            pending = [:]
            lastWrite = Date()
        }
    }
}

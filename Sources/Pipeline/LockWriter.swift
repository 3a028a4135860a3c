import Foundation

/// Collects lock entries during a run and writes them with one read-modify-write under
/// the lock's flock. Entries of stages the pipeline no longer has are dropped then.
final class LockWriter: @unchecked Sendable {
    private let url: URL
    private let artifacts: Artifacts
    private let stageNames: Set<String>
    private let environment: [String: String]
    private let mutex = NSLock()
    private var pending: [String: StageRecord] = [:]

    init(url: URL, artifacts: Artifacts, stageNames: Set<String>, environment: [String: String]) {
        self.url = url
        self.artifacts = artifacts
        self.stageNames = stageNames
        self.environment = environment
    }

    func record(_ stage: String, _ record: StageRecord) {
        mutex.withLock { pending[stage] = record }
    }

    func flush() throws {
        try mutex.withLock {
            guard !pending.isEmpty else { return }
            try LockFile.update(url, artifacts: artifacts) { lock in
                for (stage, record) in pending { lock.stages[stage] = record }
                lock.stages = lock.stages.filter { stageNames.contains($0.key) }
                lock.environment = environment
            }
            pending = [:]
        }
    }
}

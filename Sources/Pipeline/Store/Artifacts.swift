import Foundation

/// Where a pipeline keeps its state, all under `artifacts/` next to pipeline.yaml:
///
///     artifacts/<profile>.lock      committed: per stage key, params, output hashes, metrics
///     artifacts/cache/objects/      the content-addressed store (ContentStore)
///     artifacts/cache/runs/<key>    what a stage key produced (reused across profiles)
///     artifacts/cache/locks/        flock files: one per stage key, the lock file, gc
///     artifacts/cache/hashes.json   SHA-256 of files by (size, mtime, inode): no re-hashing
///     artifacts/cache/timings.json  last duration per stage, for --dry-run estimates
///     artifacts/work/<stage>/<key>/ in-progress state that survives a crash
///     artifacts/logs/<stage>.log    the last run's log
public struct Artifacts: Sendable {
    /// The `artifacts/` directory.
    public let root: URL
    public let store: ContentStore

    public init(root: URL) {
        self.root = root.standardizedFileURL
        self.store = ContentStore(root: self.root.appendingPathComponent("cache"))
    }

    public init(pipeline: PipelineDefinition) {
        self.init(root: pipeline.directory.appendingPathComponent("artifacts"))
    }

    public func lockFile(profile: String) -> URL { root.appendingPathComponent("\(profile).lock") }
    var runs: URL { store.root.appendingPathComponent("runs") }
    var locks: URL { store.root.appendingPathComponent("locks") }
    var hashes: URL { store.root.appendingPathComponent("hashes.json") }
    var timings: URL { store.root.appendingPathComponent("timings.json") }
    var work: URL { root.appendingPathComponent("work") }
    var logs: URL { root.appendingPathComponent("logs") }

    func runRecord(_ key: String) -> URL { runs.appendingPathComponent("\(key).json") }
    func stageLock(_ key: String) -> URL { locks.appendingPathComponent("\(key).lock") }
    func workDirectory(stage: String, key: String) -> URL {
        work.appendingPathComponent(stage).appendingPathComponent(key)
    }
    func log(stage: String) -> URL { logs.appendingPathComponent("\(stage).log") }

    /// Every `*.lock` of the artifacts directory (one per profile).
    func profileLocks() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0.hasSuffix(".lock") }.sorted().map { root.appendingPathComponent($0) }
    }
}

import Foundation
import Pipeline
import Support

/// Puts the tables and the report of a profile where people look for them:
/// `tables/<profile>/` beside pipeline.yaml, copied from the store after a run. The
/// copies are byte-identical to the cache entries the lock names (checked on read).
enum TablesExport {
    static let kinds: Set<String> = ["table", "report"]

    /// Returns the files written (unchanged files are left alone).
    @discardableResult
    static func run(_ pipeline: PipelineDefinition, artifacts: Artifacts) throws -> [URL] {
        let lock = try LockFile.read(artifacts.lockFile(profile: pipeline.profile))
        let directory = pipeline.directory.appendingPathComponent("tables").appendingPathComponent(pipeline.profile)
        var written: [URL] = []
        for stage in pipeline.stages where kinds.contains(stage.kind.name) {
            guard let record = lock.stages[stage.name] else { continue }
            // The tables' JSON is for the report stage, not for readers.
            for (name, output) in record.outputs.sorted(by: { $0.key < $1.key }) where !name.hasSuffix(".json") && !output.isUnknown {
                // A lock from git names entries this cache may not hold yet (a fresh clone): skip them.
                guard let source = try? artifacts.store.get(output.sha256) else { continue }
                let target = directory.appendingPathComponent(name)
                let bytes = try Data(contentsOf: source)
                if FileManager.default.contents(atPath: target.path) == bytes { continue }
                try AtomicFile.write(bytes, to: target)
                written.append(target)
            }
        }
        return written
    }
}

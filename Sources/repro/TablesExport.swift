import Foundation
import Pipeline
import Support

/// Puts the tables and the report of a profile where people look for them:
/// `tables/<profile>/` beside pipeline.yaml, copied from the store after a run. The
/// copies are byte-identical to the cache entries the lock names (checked on read). Which
/// outputs go there each kind says by name (`ExportedOutputs`).
enum TablesExport {
    /// Returns the files written (unchanged files are left alone).
    @discardableResult
    static func run(_ pipeline: PipelineDefinition, artifacts: Artifacts) throws -> [URL] {
        let lock = try LockFile.read(artifacts.lockFile(profile: pipeline.profile))
        let directory = pipeline.directory.appendingPathComponent("tables").appendingPathComponent(pipeline.profile)
        var written: [URL] = []
        for stage in pipeline.stages {
            guard let kind = stage.kind as? any ExportedOutputs, let record = lock.stages[stage.name] else { continue }
            for name in kind.exportedOutputs(stage.parameters).sorted() {
                // A volatile output may be absent (never produced here); a lock from git names
                // entries this cache may not hold yet (a fresh clone): skip them.
                guard let output = record.outputs[name], !output.isUnknown,
                    let source = try? artifacts.store.get(output.sha256)
                else { continue }
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

import Foundation
import Support

/// Runs one stage whose key is known, on a worker thread:
/// 1. take the key's flock (waiting if another repro process runs the same key, then
///    reusing its result);
/// 2. run the kind into a scratch directory inside the store, with verified dependency
///    outputs and a work directory that survives a crash;
/// 3. move each output into the store, then write the key's run record; only then does
///    the key count as done. A kill at any point leaves the store and the lock valid:
///    at worst an abandoned scratch directory, which the next run removes.
struct StageExecution {
    let stage: ResolvedStage
    let fingerprint: StageFingerprint
    let dependencies: [String: StageRecord]
    let forced: Bool
    let threads: Int
    let pipelineDirectory: URL
    let artifacts: Artifacts
    let hashes: HashCache
    let display: ProgressDisplay
    let cancellation: Cancellation

    enum Result {
        case ran(StageRecord, seconds: Double)
        case reused(StageRecord)
    }

    func run() throws -> Result {
        let key = fingerprint.key
        let lockURL = artifacts.stageLock(key)
        var held = try FileLock.tryLock(lockURL)
        if held == nil {
            display.emit("\(stage.name): another repro process is running this stage; waiting for it")
            held = try FileLock(lockURL)
        }
        defer { withExtendedLifetime(held) {} }
        if !forced, let record = RunRecords(artifacts: artifacts, hashes: hashes).valid(key) {
            return .reused(record)
        }

        let started = Date()
        let reporter = ProgressReporter(stage: stage.name, logFile: artifacts.log(stage: stage.name),
                                        console: { [display] in display.emit($0) })
        display.add(reporter)
        defer { display.remove(reporter) }
        let scratch = try artifacts.store.temporaryFile("stage-\(stage.name)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let work = artifacts.workDirectory(stage: stage.name, key: key)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)

        let context = StageContext(stage: stage.name, parameters: stage.runParameters, groups: stage.groups, dependencies: try dependencyOutputs(),
                                   outputDirectory: scratch, workDirectory: work, pipelineDirectory: pipelineDirectory,
                                   threads: threads, progress: reporter, cancellation: cancellation)
        let result = try stage.kind.run(context)
        var outputs: [String: OutputRecord] = [:]
        for (name, output) in result.outputs {
            outputs[name] = try store(name, output, scratch: scratch)
        }
        let record = StageRecord(key: key, fingerprint: fingerprint, outputs: outputs, metrics: result.metrics)
        try RunRecords(artifacts: artifacts, hashes: hashes).write(record)
        try? FileManager.default.removeItem(at: work)
        rmdir(work.deletingLastPathComponent().path)  // only when no other key's work is left
        return .ran(record, seconds: Date().timeIntervalSince(started))
    }

    /// Dependency outputs, verified by a full hash: a stage never reads a corrupted entry.
    private func dependencyOutputs() throws -> [String: DependencyOutputs] {
        var result: [String: DependencyOutputs] = [:]
        for (name, record) in dependencies {
            var files: [String: URL] = [:]
            for (output, entry) in record.outputs where !entry.isUnknown {
                do {
                    files[output] = try artifacts.store.get(entry.sha256)
                } catch {
                    throw PipelineError.failed("output \(output) of dependency \(name): \(error)")
                }
            }
            result[name] = DependencyOutputs(stage: name, files: files, metrics: record.metrics)
        }
        return result
    }

    private func store(_ name: String, _ output: StageResult.Output, scratch: URL) throws -> OutputRecord {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output.file.path, isDirectory: &isDirectory) else {
            throw PipelineError.failed("output '\(name)' was not written (expected \(output.file.path))")
        }
        guard !isDirectory.boolValue else {
            throw PipelineError.failed("output '\(name)' is a directory; outputs must be files (archive the directory)")
        }
        let inScratch = output.file.standardizedFileURL.path.hasPrefix(scratch.standardizedFileURL.path + "/")
        let sha = inScratch ? try artifacts.store.put(consuming: output.file) : try artifacts.store.put(copying: output.file)
        let path = artifacts.store.path(sha)
        hashes.remember(path, sha256: sha)
        return OutputRecord(sha256: sha, size: artifacts.store.size(sha), volatile: output.volatile)
    }
}

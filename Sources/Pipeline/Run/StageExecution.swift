import Foundation
import Support

/// Computes one job in this process, on a worker thread (the local executor's and
/// `repro run-key`'s way):
/// 1. take the key's flock (waiting if another repro process runs the same key, then
///    reusing its result);
/// 2. run the kind into a scratch directory inside the store, with verified dependency
///    outputs and a work directory that survives a crash;
/// 3. complete it (`StageCompletion`): outputs into the store, then the key's run record.
///    A kill at any point leaves the store valid: at worst an abandoned scratch
///    directory, which the next run removes.
struct StageExecution {
    let job: StageJob
    let context: ExecutorContext

    private var artifacts: Artifacts { context.artifacts }

    func run() throws -> JobResult {
        let key = job.key
        let lockURL = artifacts.stageLock(key)
        var held = try FileLock.tryLock(lockURL)
        if held == nil {
            context.display.emit("\(job.name): another repro process is running this stage; waiting for it")
            held = try FileLock(lockURL)
        }
        defer { withExtendedLifetime(held) {} }
        if !job.forced, let record = RunRecords(artifacts: artifacts, hashes: context.hashes).valid(key) {
            return .reused(record)
        }

        let started = Date()
        let reporter = ProgressReporter(
            stage: job.name, logFile: artifacts.log(stage: job.name),
            console: { [display = context.display] in display.emit($0) })
        context.display.add(reporter)
        defer { context.display.remove(reporter) }
        let scratch = try artifacts.store.temporaryFile("stage-\(job.name)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let work = artifacts.workDirectory(stage: job.name, key: key)
        let result = try compute(into: scratch, work: work, reporter: reporter)
        let completion = StageCompletion(stage: job.name, artifacts: artifacts, hashes: context.hashes)
        let record = try completion.commit(result, key: key, fingerprint: job.fingerprint, scratch: scratch)
        try? FileManager.default.removeItem(at: work)
        rmdir(work.deletingLastPathComponent().path)  // only when no other key's work is left
        return .ran(record, seconds: Date().timeIntervalSince(started))
    }

    /// A follower rank of a multi-process stage (`repro run-key` under mpirun or srun): it
    /// computes its share beside rank 0, which alone holds the key's flock and commits;
    /// what this process computed is dropped. A valid record is reused, as rank 0 does.
    func follow() throws {
        if !job.forced, RunRecords(artifacts: artifacts, hashes: context.hashes).valid(job.key) != nil { return }
        let scratch = try artifacts.store.temporaryFile("follower-\(job.name)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        _ = try compute(
            into: scratch, work: artifacts.workDirectory(stage: job.name, key: job.key),
            reporter: ProgressReporter(stage: job.name, logFile: nil))
    }

    /// Runs the kind into `scratch`, with verified dependency outputs and the work
    /// directory that survives a crash.
    private func compute(into scratch: URL, work: URL, reporter: ProgressReporter) throws -> StageResult {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let stage = job.stage
        let stageContext = StageContext(
            stage: stage.name, parameters: stage.runParameters, groups: stage.groups,
            dependencies: try dependencyOutputs(),
            outputDirectory: scratch, workDirectory: work, pipelineDirectory: context.pipelineDirectory,
            threads: job.threads, progress: reporter, cancellation: context.cancellation)
        return try stage.kind.run(stageContext)
    }

    /// Dependency outputs, verified by a full hash: a stage never reads a corrupted entry.
    private func dependencyOutputs() throws -> [String: DependencyOutputs] {
        var result: [String: DependencyOutputs] = [:]
        for (name, record) in job.dependencies {
            var files: [String: URL] = [:]
            for (output, entry) in record.outputs {
                // Records reach a job from run records, which name every output (the lock
                // does not name volatile ones): never hand a stage a dependency in part.
                guard !entry.isUnknown else {
                    throw PipelineError.failed("dependency \(name) has no run record naming its output \(output)")
                }
                // Intermediate states feed no downstream stage; a pull may have left them out.
                if OutputRecord.isIntermediate(name: output), !artifacts.store.contains(entry.sha256) { continue }
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
}

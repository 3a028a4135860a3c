import Foundation

/// `repro run-key`: what a Slurm job runs. Executes one stage exactly as the local runner
/// does (`StageExecution`: the key's flock, outputs into the store, the run record
/// written last and atomically), after checking that the pipeline as loaded here still
/// gives the key the driver submitted: a job never commits a result under a key it did
/// not compute.
public final class KeyedStageRun: @unchecked Sendable {
    public enum Outcome {
        case done
        /// Signalled (time limit ahead, preemption) and stopped after saving its state:
        /// exit with `continueExitCode` so the driver submits a continuation.
        case checkpointed
    }

    /// The job's exit code for `.checkpointed` (EX_TEMPFAIL).
    public static let continueExitCode = Int32(JobEnding.continueCode)

    private let pipeline: PipelineDefinition
    private let stageName: String
    private let key: String
    private let dependencyKeys: [String: String]
    private let forced: Bool
    private let threads: Int
    /// False on the follower ranks of a multi-process stage: they compute, rank 0 commits.
    private let commits: Bool
    private let cancellation = Cancellation()

    public init(
        pipeline: PipelineDefinition, stage: String, key: String, dependencyKeys: [String: String],
        forced: Bool, threads: Int, commits: Bool = true
    ) {
        self.pipeline = pipeline
        self.stageName = stage
        self.key = key
        self.dependencyKeys = dependencyKeys
        self.forced = forced
        self.threads = threads
        self.commits = commits
    }

    /// Asks the stage to save its state and stop (Slurm's USR1 or TERM).
    public func cancel() { cancellation.cancel() }

    public func run() throws -> Outcome {
        guard let stage = pipeline.stage(stageName) else {
            throw PipelineError.badInput(
                "no stage named '\(stageName)' in \(pipeline.file.lastPathComponent) (profile \(pipeline.profile))")
        }
        let artifacts = Artifacts(pipeline: pipeline)
        let hashes = HashCache(file: artifacts.hashes)
        defer { hashes.save() }
        var records: [String: StageRecord] = [:]
        for dep in stage.dependencies {
            guard let depKey = dependencyKeys[dep] else {
                throw PipelineError.badInput("stage \(stageName): no --dep \(dep)=KEY given")
            }
            guard let record = RunRecords(artifacts: artifacts, hashes: hashes).valid(depKey) else {
                throw PipelineError.failed(
                    "stage \(stageName): dependency \(dep) has no valid run record for key \(depKey)")
            }
            records[dep] = record
        }
        let evaluation = StageEvaluation(
            stage: stage, record: nil, dependencies: records.mapValues { Optional($0.stableOutputs) },
            forced: forced, pipelineDirectory: pipeline.directory, hashes: hashes, artifacts: artifacts)
        guard let fingerprint = evaluation.fingerprint, fingerprint.key == key else {
            throw PipelineError.badInput(
                "stage \(stageName): the pipeline gives key \(evaluation.key ?? "(incomplete)"), not the submitted "
                    + "\(key); pipeline.yaml or its inputs changed since submission: rerun the driver"
            )
        }
        let display = ProgressDisplay(quiet: true)
        defer { display.stop() }
        let job = StageJob(
            stage: stage, fingerprint: fingerprint, dependencies: records, forced: forced,
            threads: threads, reasons: [])
        let context = ExecutorContext(
            profile: pipeline.profile, pipelineDirectory: pipeline.directory, artifacts: artifacts,
            hashes: hashes, display: display, cancellation: cancellation)
        let execution = StageExecution(job: job, context: context)
        do {
            if commits { _ = try execution.run() } else { try execution.follow() }
            return .done
        } catch  where cancellation.isCancelled {
            return .checkpointed
        } catch {
            // The job's log is what the driver shows: put the stage's own log there too.
            FileHandle.standardError.write(Data(Runner.logHint(artifacts.log(stage: stageName)).utf8 + [10]))
            throw error
        }
    }
}

import Foundation

/// Computes each job as a Slurm job (`SlurmStageJob`): sbatch, wait, continue or retry.
/// The job itself runs `repro run-key`, which commits the key as a local run would.
final class SlurmExecutor: Executor, @unchecked Sendable {
    let context: ExecutorContext
    let session: SlurmSession
    /// Each stage's resources as pipeline.yaml declares them.
    private let resources: @Sendable (String) -> ResourceRequest

    init(settings: SlurmSettings, context: ExecutorContext, resources: @escaping @Sendable (String) -> ResourceRequest)
    {
        self.context = context
        self.session = SlurmSession(settings: settings, artifacts: context.artifacts, display: context.display)
        self.resources = resources
    }

    func startLine(_ job: StageJob) -> String {
        "ready \(job.name) (Slurm): " + job.because
    }

    func execute(_ job: StageJob) throws -> JobResult {
        let request = resources(job.name).overlaid(by: session.settings.overrides)
        return try SlurmStageJob(session: session, job: job, request: request, context: context).run()
    }

    func failure(_ error: Error, of job: StageJob) -> StageFailure {
        let log = (error as? SlurmJobFailure)?.log ?? context.artifacts.log(stage: job.name)
        return failure(error, of: job, log: log)
    }

    var measuresComputeTime: Bool { false }

    /// A job that finished while no driver watched: its ledger entry is done with.
    func found(_ key: String) {
        if session.ledger.entry(key) != nil { try? session.ledger.set(key, nil) }
    }

    func cancel() -> String? { session.cancelActive() }

    func close() { session.close() }
}

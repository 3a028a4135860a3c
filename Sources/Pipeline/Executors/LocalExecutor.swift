import Foundation

/// Computes each job in this process, on the runner's worker thread (`StageExecution`).
struct LocalExecutor: Executor {
    let context: ExecutorContext

    func startLine(_ job: StageJob) -> String {
        "running \(job.name) (\(job.threads) thread\(job.threads == 1 ? "" : "s")): " + job.because
    }

    func execute(_ job: StageJob) throws -> JobResult {
        try StageExecution(job: job, context: context).run()
    }

    func failure(_ error: Error, of job: StageJob) -> StageFailure {
        failure(error, of: job, log: context.artifacts.log(stage: job.name))
    }

    var measuresComputeTime: Bool { true }
}

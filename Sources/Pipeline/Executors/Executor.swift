import Foundation

/// How a job gets computed: in this process (`LocalExecutor`) or as a Slurm job
/// (`SlurmExecutor`). The runner's loop knows only this protocol; another way to compute a
/// key (several processes, a remote cache) is another conforming type, chosen in
/// `Runner.makeExecutor`.
///
/// Whatever the executor, the job's outputs and run record reach the store through
/// `StageCompletion` (steps 1 and 2, in the process that computes); the runner then
/// records the stage in the lock (step 3).
protocol Executor: Sendable {
    /// The progress line printed when the job is handed over.
    func startLine(_ job: StageJob) -> String
    /// Computes the job on the calling (worker) thread; returns once its run record is
    /// in the store.
    func execute(_ job: StageJob) throws -> JobResult
    /// The failure to report for an error `execute` threw, with the log lines that explain it.
    func failure(_ error: Error, of job: StageJob) -> StageFailure
    /// True when a job's duration is its compute time, so `--dry-run` can estimate from it
    /// (a Slurm job's includes its time in the queue).
    var measuresComputeTime: Bool { get }
    /// The key was found done in the store without a job: forget any bookkeeping for it.
    func found(_ key: String)
    /// Ctrl-C: stop what runs elsewhere; returns what it did, for the message on stderr.
    func cancel() -> String?
    /// The run is over.
    func close()
}

extension Executor {
    func found(_ key: String) {}
    func cancel() -> String? { nil }
    func close() {}

    func failure(_ error: Error, of job: StageJob, log: URL) -> StageFailure {
        StageFailure(error, logTail: Runner.logHint(log))
    }
}

import Foundation

/// How stages run as Slurm jobs (`--executor slurm`). Requests are passed to sbatch as
/// given, never guessed (no account or partition detection), and never enter a stage key:
/// a stage run as a job produces the bytes of a local run.
public struct SlurmSettings: Sendable {
    /// The repro binary the jobs run: the driver's own, by absolute path, so the job runs
    /// the same build (the project directory must be on a filesystem the nodes share).
    public var repro: URL
    /// `--slurm-cpus`, `--slurm-mem`, `--slurm-time`, `--slurm-opt`: over every stage's
    /// request from pipeline.yaml (`PipelineDefinition.resources(for:)`).
    public var overrides = ResourceRequest()
    /// `--cluster-nodes`, `--cluster-cores`, `--cluster-network`: over the profile's `cluster:`.
    public var shape = ClusterShape()
    /// Leave the jobs running on Ctrl-C (a rerun reattaches to them).
    public var detach = false
    /// Resubmissions after an infrastructure failure (node failure, memory kill,
    /// preemption, a job Slurm lost); a stage's own error is never retried.
    public var retries = 0
    /// A retry after an out-of-memory kill asks for this many times the memory (1: the same).
    public var retryMemoryFactor = 1.0
    /// Seconds between two batched status queries (one squeue for every active job).
    public var pollInterval: Double = 2
    /// Continuation jobs after a time limit (the stage checkpointed and asked to go on).
    public var maxContinuations = 100
    /// `--pipeline`, `--profile` and `--param` of the driver, repeated in every job's
    /// command so it resolves the same stage.
    public var pipelineArguments: [String] = []

    public init(repro: URL) {
        self.repro = repro
    }
}

import ArgumentParser
import Foundation
import Pipeline

/// Where stages run: in this process, or each as a Slurm job.
enum Executor: String, ExpressibleByArgument, CaseIterable {
    case local, slurm
}

/// The `--executor` option and the Slurm requests of `repro all` and `repro stage`.
/// Requests go to sbatch as given, never guessed, and never enter a stage key.
struct SlurmFlags: ParsableArguments {
    @Option(help: "Where stages run: local (this process) or slurm (each stage an sbatch job).") var executor: Executor = .local
    @Flag(help: "slurm: on Ctrl-C leave the jobs running; rerunning the same command reattaches to them.") var detach = false
    @Option(help: "slurm: resubmit a job this many times after an infrastructure failure (memory kill, node failure, preemption, a lost job); a stage's own error is never retried.") var retries: Int = 0
    @Option(help: "slurm: --cpus-per-task of every job (the stage uses that many threads).") var slurmCpus: Int?
    @Option(help: "slurm: --mem of every job (sbatch's spelling: 4G, 500M).") var slurmMem: String?
    @Option(help: "slurm: --time of every job (minutes, or D-HH:MM:SS); a stage gets a checkpoint signal before it and continues in a new job.") var slurmTime: String?
    @Option(help: "slurm: an extra sbatch option, passed through as one argument (--partition=P, --account=A, --qos=Q, --gres=gpu:1); repeatable.") var slurmOpt: [String] = []
    @Option(help: "slurm: seconds between two status queries (one squeue for every active job).") var pollInterval: Double = 2

    func validate() throws {
        guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
        if let slurmCpus, slurmCpus < 1 { throw ValidationError("--slurm-cpus must be at least 1") }
        if executor == .local && (detach || slurmCpus != nil || slurmMem != nil || slurmTime != nil || !slurmOpt.isEmpty) {
            throw ValidationError("--detach and --slurm-* options need --executor slurm")
        }
    }

    /// The run's Slurm settings; nil for the local executor. Jobs run this very binary
    /// with the driver's pipeline file (absolute), profile and parameters.
    func settings(pipeline: PipelineDefinition, arguments: PipelineOptions) -> SlurmSettings? {
        guard executor == .slurm else { return nil }
        var settings = SlurmSettings(repro: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath())
        settings.cpus = slurmCpus
        settings.memory = slurmMem
        settings.time = slurmTime
        settings.extraOptions = slurmOpt
        settings.detach = detach
        settings.retries = retries
        settings.pollInterval = pollInterval
        settings.pipelineArguments = ["--pipeline", pipeline.file.path, "--profile", arguments.profile]
            + arguments.param.flatMap { ["--param", $0] }
        return settings
    }
}

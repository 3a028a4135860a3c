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
    @Option(
        help:
            ArgumentHelp(
                "Where stages run: local (this process) or slurm (each stage an sbatch job); default: the profile's "
                    + "`executor:`, else local.")
    ) var executor: Executor?
    @Flag(help: "slurm: on Ctrl-C leave the jobs running; rerunning the same command reattaches to them.") var detach =
        false
    @Option(
        help:
            ArgumentHelp(
                "slurm: resubmit a job this many times after an infrastructure failure (memory kill, node failure, "
                    + "preemption, a lost job); a stage's own error is never retried.")
    ) var retries: Int = 0
    @Option(help: "slurm: after an out-of-memory kill, retry with this many times the memory (with --retries).")
    var retryMemoryFactor: Double = 2
    @Option(
        help: "slurm: --cpus-per-task of every job, over pipeline.yaml's resources (the stage uses that many threads).")
    var slurmCpus: Int?
    @Option(help: "slurm: --mem of every job, over pipeline.yaml's resources (sbatch's spelling: 4G, 500M).")
    var slurmMem: String?
    @Option(
        help:
            ArgumentHelp(
                "slurm: --time of every job, over pipeline.yaml's resources (minutes, or D-HH:MM:SS); a stage gets a "
                    + "checkpoint signal before it and continues in a new job.")
    ) var slurmTime: String?
    @Option(
        help:
            ArgumentHelp(
                "slurm: an extra sbatch option, passed through as one argument (--partition=P, --account=A, --qos=Q, "
                    + "--gres=gpu:1); repeatable.")
    ) var slurmOpt: [String] = []
    @Option(help: "slurm: seconds between two status queries (one squeue for every active job).") var pollInterval:
        Double = 2
    @Option(
        help:
            ArgumentHelp(
                "slurm: nodes of the cluster the stages share; the plan gives each training stage up to its "
                    + "`devices` nodes to shorten the critical path (default: the profile's `cluster:`).")
    ) var clusterNodes: Int?
    @Option(help: "slurm: cores of each node (with --cluster-nodes; default 32).") var clusterCores: Int?
    @Option(help: "slurm: the network's bandwidth in Gb/s, for the gradient exchange (default 10).")
    var clusterNetwork: Double?

    func validate() throws {
        guard retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
        guard retryMemoryFactor >= 1 else { throw ValidationError("--retry-memory-factor must be at least 1") }
        if let problem = overrides.problem { throw ValidationError("--slurm-*: \(problem)") }
        if let problem = shape.problem { throw ValidationError("--cluster-*: \(problem)") }
        if executor == .local && (detach || overrides != ResourceRequest() || shape != ClusterShape()) {
            throw ValidationError("--detach, --slurm-* and --cluster-* options need --executor slurm")
        }
    }

    /// `--slurm-cpus`, `--slurm-mem`, `--slurm-time`, `--slurm-opt`.
    var overrides: ResourceRequest {
        ResourceRequest(cpus: slurmCpus, memory: slurmMem, time: slurmTime, options: slurmOpt)
    }

    /// `--cluster-nodes`, `--cluster-cores`, `--cluster-network`.
    var shape: ClusterShape {
        ClusterShape(nodes: clusterNodes, cores: clusterCores, network: clusterNetwork)
    }

    /// The executor of this run: the command line's, else the profile's, else local.
    func executor(of pipeline: PipelineDefinition) -> Executor {
        executor ?? pipeline.cluster.executor.flatMap(Executor.init(rawValue:)) ?? .local
    }

    /// The run's Slurm settings; nil for the local executor. Jobs run this very binary
    /// with the driver's pipeline file (absolute), profile and parameters.
    func settings(pipeline: PipelineDefinition, arguments: PipelineOptions) throws -> SlurmSettings? {
        guard executor(of: pipeline) == .slurm else {
            if detach || overrides != ResourceRequest() || shape != ClusterShape() {
                throw Failure.badInput(
                    "--detach, --slurm-* and --cluster-* options need --executor slurm (profile "
                        + "'\(pipeline.profile)' runs stages locally)"
                )
            }
            return nil
        }
        var settings = SlurmSettings(repro: Self.driverBinary)
        settings.overrides = overrides
        settings.shape = shape
        settings.detach = detach
        settings.retries = retries
        settings.retryMemoryFactor = retryMemoryFactor
        settings.pollInterval = pollInterval
        settings.pipelineArguments = arguments.jobArguments(pipeline)
        return settings
    }

    /// This very binary, by absolute path: jobs and ranks run the driver's build.
    static var driverBinary: URL { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }
}

extension PipelineOptions {
    /// The driver's `--pipeline` (absolute), `--profile` and `--param`, repeated in every
    /// job's or rank's command so it resolves the same stage.
    func jobArguments(_ pipeline: PipelineDefinition) -> [String] {
        ["--pipeline", pipeline.file.path, "--profile", profile] + param.flatMap { ["--param", $0] }
    }
}

import ArgumentParser
import Foundation
import Pipeline
import Ranks

/// `repro run-key` (hidden): what each Slurm job runs. One stage, by the key the driver
/// computed; the job commits the result itself (store + run record), so the driver
/// learns "done" from the shared filesystem, whatever Slurm reports.
/// Exit codes: 0 done, 1 the stage failed, 2 bad input (e.g. the key no longer matches),
/// 75 checkpointed on Slurm's signal: submit a continuation.
struct RunKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-key", abstract: "Run one stage by key (inside a Slurm job).",
        shouldDisplay: false)
    @OptionGroup var options: PipelineOptions
    @Option(help: "The stage.") var stage: String
    @Option(help: "The key the driver computed for it.") var key: String
    @Option(help: "DEPENDENCY=KEY for each dependency (repeatable).") var dep: [String] = []
    @Flag(help: "Rerun even if the key has a run record.") var force = false
    @Option(help: "Threads of this process (default: what Slurm allocated, else every core).") var threads: Int?

    func run() throws {
        var dependencyKeys: [String: String] = [:]
        for pair in dep {
            // The last "=": stage names may hold one (baseline@seed=0), keys never do.
            guard let equals = pair.lastIndex(of: "=") else {
                throw Failure.badInput("--dep \(pair): expected NAME=KEY")
            }
            dependencyKeys[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        // One of several ranks (mpirun, srun): each checks the key; rank 0 alone commits.
        let world = MPIWorld.launched
        defer { world?.finish() }
        let job = KeyedStageRun(
            pipeline: try options.load(), stage: stage, key: key, dependencyKeys: dependencyKeys,
            forced: force, threads: threads ?? Self.allocatedThreads, commits: (world?.rank ?? 0) == 0)
        // USR1 comes before the time limit (sbatch --signal), TERM at the limit or on
        // preemption: either way save what can be resumed and ask for a continuation.
        let signals = JobSignals { job.cancel() }
        let outcome = try withExtendedLifetime(signals) { try job.run() }
        if case .checkpointed = outcome {
            FileHandle.standardError.write(Data("repro: \(stage) checkpointed; asking for a continuation job\n".utf8))
            throw ExitCode(KeyedStageRun.continueExitCode)
        }
    }

    /// The CPUs Slurm gave this process: `SLURM_CPUS_PER_TASK` when -c was given, else the
    /// node's CPUs (`SLURM_CPUS_ON_NODE`) shared by the ranks on it, else every core.
    static var allocatedThreads: Int {
        let environment = ProcessInfo.processInfo.environment
        func number(_ name: String) -> Int? { environment[name].flatMap(Int.init).map { max(1, $0) } }
        if let perTask = number("SLURM_CPUS_PER_TASK") { return perTask }
        let onNode = number("SLURM_CPUS_ON_NODE") ?? ProcessInfo.processInfo.activeProcessorCount
        return max(1, onNode / (number("OMPI_COMM_WORLD_LOCAL_SIZE") ?? 1))
    }
}

/// Calls `handler` once on SIGUSR1 or SIGTERM.
final class JobSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(handler: @escaping @Sendable () -> Void) {
        for number in [SIGUSR1, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("repro: got signal \(number): saving state\n".utf8))
                handler()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit { sources.forEach { $0.cancel() } }
}

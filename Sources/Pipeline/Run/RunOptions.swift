import Foundation

/// How `repro all` / `repro stage` / `repro verify` run stages.
public struct RunOptions: Sendable {
    /// Stages running at once (`-j`).
    public var jobs = 1
    /// After a failure, keep running stages that do not depend on it.
    public var keepGoing = false
    /// Stages to run even when up to date.
    public var forced: Set<String> = []
    /// Cores shared by the running stages: each gets about cores / running threads.
    public var cores = ProcessInfo.processInfo.activeProcessorCount
    /// The numeric environment recorded at the top of the lock (supplied by the executable).
    public var environment: [String: String] = [:]
    /// False for `verify`: results go to a scratch cache and the lock is left alone.
    public var recordInLock = true
    /// Live progress and per-stage lines on stderr.
    public var showProgress = true
    /// Run each stage as a Slurm job instead of in this process (`--executor slurm`).
    public var slurm: SlurmSettings?
    /// Run each stage that can use several processes as that many MPI ranks on this
    /// machine (`repro stage NAME --ranks P`).
    public var ranks: RankSettings?

    public init() {}
}

import Foundation
import Support

/// Runs a set of stages from a ready queue, up to `jobs` at once. A stage becomes ready
/// when its dependencies are done; its key is then computed from their actual outputs,
/// so a dependency rebuilt to identical bytes leaves it up to date (early cutoff).
/// Each turn of the loop has three phases: skip what a broken dependency blocks
/// (`propagateSkips`), settle on this thread what needs no job (`settle`: up to date,
/// reused from the store, or a missing input), and hand the rest to the executor
/// (`dispatch`); a worker thread completes each job (`complete`). Without `keepGoing`
/// nothing new starts after a failure and the run ends when the jobs in flight finish.
public final class Runner: @unchecked Sendable {
    public let pipeline: PipelineDefinition
    public let artifacts: Artifacts
    public let options: RunOptions
    private let cancellation = Cancellation()
    private let condition = NSCondition()
    /// The current run's executor, for Ctrl-C.
    private var executor: (any Executor)?

    public init(pipeline: PipelineDefinition, artifacts: Artifacts, options: RunOptions) {
        self.pipeline = pipeline
        self.artifacts = artifacts
        self.options = options
    }

    /// Asks running stages to stop (they see `context.isCancelled`) and starts nothing new.
    /// Under Slurm, cancels this run's jobs with one batched scancel (unless `--detach`);
    /// returns what it did with them.
    @discardableResult
    public func cancel() -> String? {
        let jobs = condition.withLock { executor }?.cancel()
        cancellation.cancel()
        condition.withLock { condition.broadcast() }
        return jobs
    }

    /// Runs `selection` (stage names, closed under dependencies) and returns what happened.
    public func run(_ selection: [String]) throws -> RunSummary {
        // Shared with other runs, exclusive for gc: gc never removes what this run has just
        // stored and no lock names yet.
        try FileLock.holding(artifacts.locks.appendingPathComponent("gc.flock"), .shared) { try runHolding(selection) }
    }

    private func runHolding(_ selection: [String]) throws -> RunSummary {
        for abandoned in artifacts.store.abandonedTemporaryFiles() {
            try? FileManager.default.removeItem(at: abandoned)
        }
        let selected = Set(selection)
        let order = pipeline.stages.filter { selected.contains($0.name) }
        for stage in order {
            for dep in stage.dependencies where !selected.contains(dep) {
                preconditionFailure("selection is not closed under dependencies: \(stage.name) needs \(dep)")
            }
        }
        let display = ProgressDisplay(quiet: !options.showProgress)
        defer { display.stop() }
        let hashes = HashCache(file: artifacts.hashes)
        defer { hashes.save() }
        let context = ExecutorContext(
            profile: pipeline.profile, pipelineDirectory: pipeline.directory, artifacts: artifacts,
            hashes: hashes, display: display, cancellation: cancellation)
        let executor = makeExecutor(context)
        condition.withLock { self.executor = executor }
        defer { executor.close() }
        let run = RunState(
            order: order, lock: try LockFile.read(artifacts.lockFile(profile: pipeline.profile)),
            writer: makeLockWriter(), executor: executor, context: context, keepGoing: options.keepGoing)

        condition.lock()
        defer { condition.unlock() }
        while true {
            if cancellation.isCancelled, run.stopReason == nil {
                run.stopReason = "not started: the run was interrupted"
            }
            var progressed = propagateSkips(run)
            let ready = run.ready()
            let competing = ready.count + run.runningThreads.count
            for stage in ready where run.stopReason == nil && run.states[stage.name]!.isPending {
                guard let job = settle(stage, run) else {
                    progressed = true
                    continue
                }
                guard let threads = threadShare(run, competing: competing) else { continue }
                dispatch(
                    StageJob(
                        stage: stage, fingerprint: job.fingerprint, dependencies: job.dependencies,
                        forced: job.forced, threads: threads, reasons: job.reasons), run)
                progressed = true
            }
            if progressed { continue }
            if run.runningThreads.isEmpty { break }
            condition.wait()
        }
        for stage in order where run.states[stage.name]!.isPending {
            run.outcomes[stage.name] = .skipped(run.stopReason ?? "not started")
        }
        try run.writer?.flush()
        return run.summary()
    }

    /// The executor for this run's options; another way to compute a key goes here.
    private func makeExecutor(_ context: ExecutorContext) -> any Executor {
        if let ranks = options.ranks { return RanksExecutor(settings: ranks, context: context) }
        guard let settings = options.slurm else { return LocalExecutor(context: context) }
        let pipeline = self.pipeline
        guard pipeline.cluster.shape.overlaid(by: settings.shape).isSet else {
            return SlurmExecutor(settings: settings, context: context) { pipeline.resources(for: $0) }
        }
        // a cluster shape: the jobs ask for the nodes, tasks and CPUs the plan of every stage gives them
        let steps = pipeline.stages.map { Plan.Step(stage: $0.name, reasons: [], estimate: nil) }
        let plan = ClusterPlan(plan: Plan(steps: steps, upToDate: []), pipeline: pipeline, settings: settings)
        return SlurmExecutor(settings: settings, context: context) { plan.request($0) }
    }

    private func makeLockWriter() -> LockWriter? {
        guard options.recordInLock else { return nil }
        return LockWriter(
            url: artifacts.lockFile(profile: pipeline.profile), artifacts: artifacts,
            stageNames: Set(pipeline.stages.map(\.name)), environment: options.environment)
    }

    /// Phase 1: a pending stage with a failed or skipped dependency is skipped.
    private func propagateSkips(_ run: RunState) -> Bool {
        var progressed = false
        for stage in run.order where run.states[stage.name]!.isPending {
            guard let bad = stage.dependencies.first(where: { run.states[$0]!.isBroken }) else { continue }
            run.states[stage.name] = .skipped
            let failed = if case .failed = run.states[bad]! { true } else { false }
            run.outcomes[stage.name] = .skipped(failed ? "dependency \(bad) failed" : "dependency \(bad) was skipped")
            progressed = true
        }
        return progressed
    }

    /// Phase 2: settles a ready stage that needs no job (up to date, its key's result
    /// already in the store, an input missing) and returns nil; otherwise returns the job
    /// to run, its threads not yet assigned. Evaluates each stage once, off the lock.
    private func settle(_ stage: ResolvedStage, _ run: RunState) -> StageJob? {
        let dependencies = Dictionary(uniqueKeysWithValues: stage.dependencies.map { ($0, run.states[$0]!.record!) })
        let forced = options.forced.contains(stage.name)
        let evaluation =
            run.evaluations[stage.name]
            ?? {
                condition.unlock()
                defer { condition.lock() }
                return StageEvaluation(
                    stage: stage, record: run.lock.stages[stage.name],
                    dependencies: dependencies.mapValues { Optional($0.stableOutputs) }, forced: forced,
                    pipelineDirectory: pipeline.directory, hashes: run.context.hashes, artifacts: artifacts)
            }()
        run.evaluations[stage.name] = evaluation
        run.reasons[stage.name] = evaluation.reasons
        if evaluation.isUpToDate {
            run.settle(stage.name, run.lock.stages[stage.name]!, .upToDate)
            return nil
        }
        guard let fingerprint = evaluation.fingerprint else {
            // A declared input file that is not there: the user's project to fix.
            let missing = evaluation.reasons.filter { if case .inputMissing = $0 { true } else { false } }
            run.fail(
                stage.name, StageFailure(PipelineError.badInput(missing.map(\.description).joined(separator: "; "))))
            return nil
        }
        if !forced, !run.notCached.contains(stage.name),
            let cached = RunRecords(artifacts: artifacts, hashes: run.context.hashes).valid(fingerprint.key)
        {
            run.settle(stage.name, cached, .reused)
            run.writer?.record(stage.name, cached)
            run.executor.found(fingerprint.key)
            return nil
        }
        run.notCached.insert(stage.name)
        return StageJob(
            stage: stage, fingerprint: fingerprint, dependencies: dependencies, forced: forced, threads: 0,
            reasons: evaluation.reasons)
    }

    /// The threads for one more job, or nil when `jobs` are running already: an equal
    /// share of the cores among the jobs that can run at once (`competing`: those ready
    /// and those running when this turn began), within what is free.
    private func threadShare(_ run: RunState, competing: Int) -> Int? {
        let running = run.runningThreads
        guard running.count < max(1, options.jobs) else { return nil }
        let share = options.cores / max(1, min(options.jobs, competing))
        return max(1, min(share, options.cores - running.reduce(0, +)))
    }

    /// Phase 3: hands the job to the executor on a worker thread, which completes it.
    private func dispatch(_ job: StageJob, _ run: RunState) {
        run.states[job.name] = .running(threads: job.threads)
        run.context.display.emit(run.executor.startLine(job))
        let runStart = run.start
        let thread = Thread { [self] in
            let started = Date().timeIntervalSince(runStart)
            let outcome = Result { try run.executor.execute(job) }
            complete(job, outcome, started: started, run)
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// On the worker thread: the completion's last step (the lock entry, then the volatile
    /// timing), then the stage's state, and a wake-up for the loop.
    private func complete(_ job: StageJob, _ outcome: Result<JobResult, Error>, started: Double, _ run: RunState) {
        var lockError: Error?
        if case .success(let result) = outcome {
            do { try StageCompletion.record(job.name, result.record, in: run.writer) } catch { lockError = error }
            if case .ran(_, let seconds) = result, options.recordInLock, run.executor.measuresComputeTime {
                Timings(artifacts: artifacts).record(
                    Timings.key(profile: pipeline.profile, stage: job.name), seconds: seconds)
            }
        }
        condition.withLock {
            switch outcome {
            case .success(.ran(let record, let seconds)):
                run.settle(job.name, record, .ran(seconds: seconds, started: started))
                run.context.display.emit("done \(job.name) (\(Duration.text(seconds)))")
            case .success(.reused(let record)):
                run.settle(job.name, record, .reused)
            case .failure(let error):
                run.fail(job.name, run.executor.failure(error, of: job))
            }
            if let lockError {
                run.fail(job.name, StageFailure(PipelineError.failed("cannot update the lock: \(lockError)")))
            }
            condition.broadcast()
        }
    }

    /// The last lines of a failed stage's log, if it wrote any.
    static func logHint(_ log: URL) -> String {
        guard let text = try? String(contentsOf: log, encoding: .utf8), !text.isEmpty else { return "" }
        let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(15).joined(separator: "\n")
        return "\n--- last lines of \(log.path) ---\n\(tail)"
    }
}

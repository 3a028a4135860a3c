import Foundation
import Support

/// Runs a set of stages from a ready queue, up to `jobs` at once. A stage becomes ready
/// when its dependencies are done; its key is then computed from their actual outputs,
/// so a dependency rebuilt to identical bytes leaves it up to date (early cutoff).
/// Up-to-date and reused stages are settled on the coordinating thread without a worker.
/// A failed stage's dependents are skipped; without `keepGoing` nothing new starts after
/// a failure and the run ends when the stages in flight finish.
public final class Runner: @unchecked Sendable {
    fileprivate enum State {
        case pending
        case running(threads: Int)
        case done(StageRecord)
        case failed
        case skipped

        var record: StageRecord? {
            if case .done(let record) = self { return record }
            return nil
        }

        var threads: Int? {
            if case .running(let threads) = self { return threads }
            return nil
        }

        var isPending: Bool {
            if case .pending = self { return true }
            return false
        }

        var isBroken: Bool {
            switch self {
            case .failed, .skipped: return true
            default: return false
            }
        }
    }

    public let pipeline: PipelineDefinition
    public let artifacts: Artifacts
    public let options: RunOptions
    private let cancellation = Cancellation()
    private let condition = NSCondition()
    /// The Slurm jobs of the current run (`--executor slurm`), for Ctrl-C.
    private var slurm: SlurmSession?

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
        let jobs = condition.withLock { slurm }?.cancelActive()
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
        for abandoned in artifacts.store.abandonedTemporaryFiles() { try? FileManager.default.removeItem(at: abandoned) }

        let selected = Set(selection)
        let order = pipeline.stages.filter { selected.contains($0.name) }
        let runStart = Date()
        for stage in order {
            for dep in stage.dependencies where !selected.contains(dep) {
                preconditionFailure("selection is not closed under dependencies: \(stage.name) needs \(dep)")
            }
        }
        let lock = try LockFile.read(artifacts.lockFile(profile: pipeline.profile))
        let hashes = HashCache(file: artifacts.hashes)
        defer { hashes.save() }
        let writer = options.recordInLock
            ? LockWriter(url: artifacts.lockFile(profile: pipeline.profile), artifacts: artifacts,
                         stageNames: Set(pipeline.stages.map(\.name)), environment: options.environment)
            : nil
        let display = ProgressDisplay(quiet: !options.showProgress)
        defer { display.stop() }
        let timings = Timings(artifacts: artifacts)
        let session = options.slurm.map { SlurmSession(settings: $0, artifacts: artifacts, display: display) }
        condition.withLock { slurm = session }
        defer { session?.close() }

        let run = RunState(order: order, keepGoing: options.keepGoing, display: display)
        condition.lock()
        defer { condition.unlock() }
        while true {
            var progressed = false
            let running = run.states.values.filter { $0.threads != nil }.count
            if cancellation.isCancelled, run.stopReason == nil { run.stopReason = "not started: the run was interrupted" }
            let ready = order.filter { stage in
                run.states[stage.name]!.isPending && stage.dependencies.allSatisfy { run.states[$0]!.record != nil }
            }
            for stage in order {
                guard run.states[stage.name]!.isPending else { continue }
                if let bad = stage.dependencies.first(where: { run.states[$0]!.isBroken }) {
                    run.states[stage.name] = .skipped
                    let failed: Bool
                    if case .failed = run.states[bad]! { failed = true } else { failed = false }
                    run.outcomes[stage.name] = .skipped(failed ? "dependency \(bad) failed" : "dependency \(bad) was skipped")
                    progressed = true
                }
            }
            for stage in ready where run.stopReason == nil {
                guard run.states[stage.name]!.isPending else { continue }
                let depRecords = Dictionary(uniqueKeysWithValues: stage.dependencies.map { ($0, run.states[$0]!.record!) })
                let evaluation: StageEvaluation
                if let known = run.evaluations[stage.name] {
                    evaluation = known
                } else {
                    condition.unlock()
                    evaluation = StageEvaluation(stage: stage, record: lock.stages[stage.name],
                                                 dependencies: depRecords.mapValues { Optional($0.stableOutputs) },
                                                 forced: options.forced.contains(stage.name), pipelineDirectory: pipeline.directory,
                                                 hashes: hashes, artifacts: artifacts)
                    condition.lock()
                    run.evaluations[stage.name] = evaluation
                }
                run.reasons[stage.name] = evaluation.reasons
                if evaluation.isUpToDate {
                    run.states[stage.name] = .done(lock.stages[stage.name]!)
                    run.outcomes[stage.name] = .upToDate
                    progressed = true
                    continue
                }
                guard let fingerprint = evaluation.fingerprint else {
                    // A declared input file that is not there: the user's project to fix.
                    let missing = evaluation.reasons.filter { if case .inputMissing = $0 { return true } else { return false } }
                    run.fail(stage.name, StageFailure(PipelineError.badInput(missing.map(\.description).joined(separator: "; "))))
                    progressed = true
                    continue
                }
                if !options.forced.contains(stage.name), !run.notCached.contains(stage.name),
                   let cached = RunRecords(artifacts: artifacts, hashes: hashes).valid(fingerprint.key) {
                    run.states[stage.name] = .done(cached)
                    run.outcomes[stage.name] = .reused
                    writer?.record(stage.name, cached)
                    // a job that finished while no driver watched: its ledger entry is done with
                    if let session, session.ledger.entry(fingerprint.key) != nil { try? session.ledger.set(fingerprint.key, nil) }
                    progressed = true
                    continue
                }
                run.notCached.insert(stage.name)
                let runningNow = run.states.values.compactMap(\.threads)
                guard runningNow.count < max(1, options.jobs) else { continue }
                let inUse = runningNow.reduce(0, +)
                let share = options.cores / max(1, min(options.jobs, ready.count + running))
                let threads = max(1, min(share, options.cores - inUse))
                run.states[stage.name] = .running(threads: threads)
                progressed = true
                let because = evaluation.reasons.map(\.description).joined(separator: "; ")
                let execute: @Sendable () throws -> StageExecution.Result
                if let session {
                    display.emit("ready \(stage.name) (Slurm): " + because)
                    let job = SlurmStageJob(session: session, stage: stage,
                                            request: pipeline.resources(for: stage.name).overlaid(by: session.settings.overrides),
                                            key: fingerprint.key, dependencies: depRecords,
                                            forced: options.forced.contains(stage.name), profile: pipeline.profile,
                                            pipelineDirectory: pipeline.directory, artifacts: artifacts, hashes: hashes,
                                            display: display, cancellation: cancellation)
                    execute = { try job.run() }
                } else {
                    display.emit("running \(stage.name) (\(threads) thread\(threads == 1 ? "" : "s")): " + because)
                    let execution = StageExecution(stage: stage, fingerprint: fingerprint, dependencies: depRecords,
                                                   forced: options.forced.contains(stage.name), threads: threads,
                                                   pipelineDirectory: pipeline.directory, artifacts: artifacts, hashes: hashes,
                                                   display: display, cancellation: cancellation)
                    execute = { try execution.run() }
                }
                let thread = Thread { [self] in
                    let started = Date().timeIntervalSince(runStart)
                    let outcome: Swift.Result<StageExecution.Result, Error> = Swift.Result { try execute() }
                    var lockError: Error?
                    if case .success(let result) = outcome {
                        switch result {
                        case .ran(let record, let seconds):
                            writer?.record(stage.name, record)
                            do { try writer?.flush(now: false) } catch { lockError = error }
                            // A Slurm job's duration as the driver sees it includes its time
                            // in the queue: no estimate for --dry-run.
                            if options.recordInLock && session == nil {
                                timings.record(Timings.key(profile: pipeline.profile, stage: stage.name), seconds: seconds)
                            }
                        case .reused(let record):
                            writer?.record(stage.name, record)
                        }
                    }
                    condition.withLock {
                        switch outcome {
                        case .success(.ran(let record, let seconds)):
                            run.states[stage.name] = .done(record)
                            run.outcomes[stage.name] = .ran(seconds: seconds, started: started)
                            display.emit("done \(stage.name) (\(Duration.text(seconds)))")
                        case .success(.reused(let record)):
                            run.states[stage.name] = .done(record)
                            run.outcomes[stage.name] = .reused
                        case .failure(let error as SlurmJobFailure):
                            run.fail(stage.name, StageFailure(error, logTail: Runner.logHint(error.log)))
                        case .failure(let error):
                            run.fail(stage.name, StageFailure(error, logTail: Runner.logHint(artifacts.log(stage: stage.name))))
                        }
                        if let lockError { run.fail(stage.name, StageFailure(PipelineError.failed("cannot update the lock: \(lockError)"))) }
                        condition.broadcast()
                    }
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
            if progressed { continue }
            if !run.states.values.contains(where: { $0.threads != nil }) { break }
            condition.wait()
        }
        for stage in order {
            if run.states[stage.name]!.isPending { run.outcomes[stage.name] = .skipped(run.stopReason ?? "not started") }
        }
        try writer?.flush()
        return RunSummary(entries: order.map { stage in
            RunSummary.Entry(stage: stage.name, outcome: run.outcomes[stage.name]!, reasons: run.reasons[stage.name] ?? [],
                             record: run.states[stage.name]!.record)
        })
    }

    /// The last lines of a failed stage's log, if it wrote any.
    static func logHint(_ log: URL) -> String {
        guard let text = try? String(contentsOf: log, encoding: .utf8), !text.isEmpty else { return "" }
        let tail = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(15).joined(separator: "\n")
        return "\n--- last lines of \(log.path) ---\n\(tail)"
    }
}

/// The coordinator's bookkeeping, shared with the worker threads under the runner's
/// condition lock.
private final class RunState: @unchecked Sendable {
    var states: [String: Runner.State]
    var outcomes: [String: RunSummary.Outcome] = [:]
    var reasons: [String: [StaleReason]] = [:]
    var evaluations: [String: StageEvaluation] = [:]
    /// Stages already found to have no cached result (checked once, not per wake-up).
    var notCached = Set<String>()
    var stopReason: String?
    let keepGoing: Bool
    let display: ProgressDisplay

    init(order: [ResolvedStage], keepGoing: Bool, display: ProgressDisplay) {
        states = Dictionary(uniqueKeysWithValues: order.map { ($0.name, Runner.State.pending) })
        self.keepGoing = keepGoing
        self.display = display
    }

    func fail(_ stage: String, _ failure: StageFailure) {
        states[stage] = .failed
        outcomes[stage] = .failed(failure)
        display.emit("FAILED \(stage): \(failure.message)")
        if !keepGoing && stopReason == nil {
            stopReason = "not started: the run stopped after \(stage) failed (use --keep-going to continue past failures)"
        }
    }
}

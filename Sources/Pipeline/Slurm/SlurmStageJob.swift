import Foundation

/// One stage key computed by Slurm jobs: reattach to the ledger's job for the key, or
/// submit one; wait on the monitor's batched answers; done when a valid run record for
/// the key appears (the job wrote it); otherwise classify how the job ended, and submit
/// a continuation (time limit with a checkpoint) or a retry (infrastructure failure, up
/// to `--retries`). Runs on a runner worker thread, like `StageExecution`.
struct SlurmStageJob {
    let session: SlurmSession
    let job: StageJob
    /// The stage's resources (pipeline.yaml's and `--slurm-*`'s); a memory kill may raise them.
    let request: ResourceRequest
    let context: ExecutorContext

    private var stage: ResolvedStage { job.stage }
    private var key: String { job.key }
    private var artifacts: Artifacts { context.artifacts }
    private var hashes: HashCache { context.hashes }
    private var display: ProgressDisplay { context.display }
    private var cancellation: Cancellation { context.cancellation }

    /// A job that has ended this many successful status answers in a row unseen by Slurm
    /// and left no run record is lost (a purged job is gone from squeue for good).
    static let missingLimit = 3

    func run() throws -> JobResult {
        let started = Date()
        var current: SlurmLedger.Entry
        var retriesLeft = session.settings.retries
        var continuations = 0
        var request = request
        let known = session.ledger.entry(key)
        let found: String?
        do {
            found = try known.flatMap { $0.job.isEmpty ? try session.client.find(submission: $0.submission) : $0.job }
        } catch {
            throw PipelineError.failed("\(error)")
        }
        if let known, let job = found {
            // An entry without a job id: the last driver died between sbatch and the ledger;
            // the job's comment carries the entry's submission token.
            current = known.with(job: job)
            if known.job.isEmpty { try session.ledger.set(key, current) }
            display.emit("\(stage.name): reattached to Slurm job \(job) (attempt \(known.attempt))")
        } else {
            current = try submit(attempt: known?.attempt ?? 1, request: request)
        }
        session.submitted(current.job)
        while true {
            let ending = try wait(for: current)
            session.finished(current.job)
            guard let ending else {
                // Done: the job committed the key's record.
                try? session.ledger.set(key, nil)
                return .ran(
                    RunRecords(artifacts: artifacts, hashes: hashes).valid(key)!,
                    seconds: Date().timeIntervalSince(started))
            }
            let log = logFile(attempt: current.attempt)
            switch ending {
            case .continuation where continuations < session.settings.maxContinuations:
                continuations += 1
                display.emit(
                    "\(stage.name): job \(current.job) checkpointed before its time limit; submitting continuation "
                        + "\(continuations)"
                )
            case _ where ending.isInfrastructure && retriesLeft > 0:
                retriesLeft -= 1
                var more = ""
                if ending == .outOfMemory, session.settings.retryMemoryFactor != 1, let memory = request.memory,
                    let megabytes = ResourceRequest.megabytes(memory)
                {
                    request.memory = ResourceRequest.memory(megabytes: megabytes * session.settings.retryMemoryFactor)
                    more = " with --mem=\(request.memory!)"
                }
                display.emit(
                    "\(stage.name): job \(current.job) ended: \(ending.description); retrying\(more) (\(retriesLeft) "
                        + "retr\(retriesLeft == 1 ? "y" : "ies") left)"
                )
            default:
                // A cancelled job leaves no ledger entry, so the next run submits it again.
                try? session.ledger.set(key, nil)
                throw SlurmJobFailure(ending: ending, job: current.job, log: log)
            }
            current = try submit(attempt: current.attempt + 1, request: request)
            session.submitted(current.job)
        }
    }

    /// Waits for the job's end; nil when the key is done (whatever Slurm says).
    private func wait(for entry: SlurmLedger.Entry) throws -> JobEnding? {
        session.monitor.watch(entry.job)
        defer { session.monitor.unwatch(entry.job) }
        var generation = 0
        while true {
            if isDone(since: entry.submitted) { return nil }
            if cancellation.isCancelled {
                if session.settings.detach {
                    throw PipelineError.failed(
                        "detached from Slurm job \(entry.job) (still running); rerun to reattach")
                }
                // Forgotten, so the next run submits the key again instead of waiting.
                try? session.ledger.set(key, nil)
                throw PipelineError.failed("interrupted: Slurm job \(entry.job) cancelled")
            }
            let answer = session.monitor.next(after: generation, id: entry.job) { cancellation.isCancelled }
            generation = answer.generation
            switch answer.observation {
            case .known(let state)? where !state.isActive:
                // The job may have written its record just before its end was reported.
                if isDone(since: entry.submitted) { return nil }
                return JobEnding(state, log: logFile(attempt: entry.attempt))
            case .missing(let times)? where times >= Self.missingLimit:
                if isDone(since: entry.submitted) { return nil }
                return .lost
            default:
                continue  // pending, running, unknown or unreachable: ask again later
            }
        }
    }

    /// A valid run record for the key; when forced, one written by this job (not the old one).
    private func isDone(since submitted: Double) -> Bool {
        guard RunRecords(artifacts: artifacts, hashes: hashes).valid(key) != nil else { return false }
        guard job.forced else { return true }
        let attributes = try? FileManager.default.attributesOfItem(atPath: artifacts.runRecord(key).path)
        let written = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return written >= submitted - 1
    }

    private var workDirectory: URL { artifacts.workDirectory(stage: stage.name, key: key) }

    /// `artifacts/work/<stage>/<key>/slurm-<attempt>.log`: kept when the stage fails,
    /// removed with the work directory when it succeeds.
    func logFile(attempt: Int) -> URL { workDirectory.appendingPathComponent("slurm-\(attempt).log") }

    /// Writes the batch script, records the submission in the ledger before sbatch (a
    /// driver killed in between leaves a token the job's comment repeats), submits, and
    /// records the job id.
    private func submit(attempt: Int, request: ResourceRequest) throws -> SlurmLedger.Entry {
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let submission = UUID().uuidString.lowercased()
        let script = BatchScript(
            settings: session.settings, request: request, projectDirectory: context.pipelineDirectory,
            profile: context.profile, stage: stage.name, key: key,
            dependencyKeys: job.dependencies.mapValues(\.key), attempt: attempt,
            submission: submission, forced: job.forced, log: logFile(attempt: attempt))
        let file = workDirectory.appendingPathComponent("slurm-\(attempt).sh")
        try script.write(to: file)
        let pending = SlurmLedger.Entry(
            job: "", stage: stage.name, profile: context.profile, attempt: attempt,
            submitted: Date().timeIntervalSince1970, submission: submission)
        try session.ledger.set(key, pending)
        let id: String
        do {
            id = try session.client.submit(file)
        } catch {
            try? session.ledger.set(key, nil)
            throw PipelineError.failed("\(error)")
        }
        let entry = pending.with(job: id)
        try session.ledger.set(key, entry)
        display.emit(
            "submitted \(stage.name) as Slurm job \(id) (attempt \(attempt), \(request.text), log "
                + "\(logFile(attempt: attempt).path))"
        )
        return entry
    }
}

/// A stage whose Slurm job failed for good: how it ended, and where its log is.
struct SlurmJobFailure: Error, CustomStringConvertible {
    let ending: JobEnding
    let job: String
    let log: URL

    var description: String {
        "Slurm job \(job): \(ending.description); log: \(log.path)"
    }
}

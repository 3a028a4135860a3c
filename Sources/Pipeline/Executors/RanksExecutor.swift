import Foundation

/// Computes a stage that can use several processes (a training with `devices`) as P MPI
/// ranks on this machine: `mpirun -np P repro run-key …`, each rank with its share of the
/// stage's threads. Rank 0 commits the key as a local run would; the driver then reads
/// the run record. A launch that fails (a rank died or timed out in a collective) is
/// rerun up to `retries` times, continuing from the last saved state. Other stages run
/// in this process (`LocalExecutor`).
final class RanksExecutor: Executor, @unchecked Sendable {  // `running` under its lock
    let context: ExecutorContext
    let settings: RankSettings
    let local: LocalExecutor
    private let lock = NSLock()
    private var running: [Process] = []

    init(settings: RankSettings, context: ExecutorContext) {
        self.settings = settings
        self.context = context
        local = LocalExecutor(context: context)
    }

    func ranks(_ job: StageJob) -> Int {
        min(settings.count, job.stage.kind.maximumRanks(job.stage.runParameters))
    }

    func startLine(_ job: StageJob) -> String {
        let ranks = ranks(job)
        guard ranks > 1 else { return local.startLine(job) }
        let threads = max(1, job.threads / ranks)
        return "running \(job.name) (\(ranks) ranks × \(threads) thread\(threads == 1 ? "" : "s")): " + job.because
    }

    func execute(_ job: StageJob) throws -> JobResult {
        guard ranks(job) > 1 else { return try local.execute(job) }
        let records = RunRecords(artifacts: context.artifacts, hashes: context.hashes)
        if !job.forced, let record = records.valid(job.key) { return .reused(record) }
        let started = Date()
        var attempt = 0
        while true {
            let status = try launch(job, appending: attempt > 0)
            if let record = records.valid(job.key), status == 0 {
                return .ran(record, seconds: Date().timeIntervalSince(started))
            }
            if context.cancellation.isCancelled { throw PipelineError.failed("\(job.name): interrupted") }
            guard status != 2 else { throw PipelineError.badInput("\(job.name): \(failureLine(job))") }
            guard attempt < settings.retries else {
                throw PipelineError.failed(
                    "\(job.name): \(ranks(job)) ranks failed (exit \(status)): \(failureLine(job))")
            }
            attempt += 1
            let left = settings.retries - attempt
            context.display.emit(
                "\(job.name): the ranks failed (exit \(status): \(failureLine(job))), treated as a node failure; "
                    + "retrying from the last saved state (\(left) retr\(left == 1 ? "y" : "ies") left)")
        }
    }

    /// The launch's own log: every rank's stderr (the stage's log is rank 0's).
    func launchLog(_ job: StageJob) -> URL {
        context.artifacts.log(stage: job.name).deletingPathExtension().appendingPathExtension("ranks.log")
    }

    /// Runs the ranks to the end; returns mpirun's exit status. A retry's output follows
    /// the failed attempt's in the launch log.
    private func launch(_ job: StageJob, appending: Bool) throws -> Int32 {
        let ranks = ranks(job)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = MPILaunch.command(ranks: String(ranks), oversubscribe: true)
        arguments += [settings.repro.path, "run-key"] + settings.pipelineArguments
        arguments += ["--stage", job.name, "--key", job.key, "--threads", String(max(1, job.threads / ranks))]
        for name in job.dependencies.keys.sorted() { arguments += ["--dep", "\(name)=\(job.dependencies[name]!.key)"] }
        if job.forced { arguments.append("--force") }
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(MPILaunch.rootVariables) { $1 }
        let log = launchLog(job)
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !appending { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try lock.withLock {
            try process.run()
            running.append(process)
        }
        process.waitUntilExit()
        lock.withLock { running.removeAll { $0 === process } }
        return process.terminationStatus
    }

    /// Ctrl-C: mpirun forwards SIGUSR1 to every rank (a SIGTERM it would follow with a
    /// SIGKILL); the ranks agree on a step, rank 0 saves the one state, all stop.
    func cancel() -> String? {
        lock.withLock {
            running.forEach { kill($0.processIdentifier, SIGUSR1) }
            return running.isEmpty ? nil : "asked \(running.count) MPI launch(es) to save their state and stop"
        }
    }

    /// The last line of the launch log that says what went wrong.
    private func failureLine(_ job: StageJob) -> String {
        let text = (try? String(contentsOf: launchLog(job), encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").map(String.init)
        let said = lines.last { $0.hasPrefix("repro:") } ?? lines.last ?? "no output"
        return said + " (log: \(launchLog(job).path))"
    }

    func failure(_ error: Error, of job: StageJob) -> StageFailure {
        failure(error, of: job, log: ranks(job) > 1 ? launchLog(job) : context.artifacts.log(stage: job.name))
    }

    var measuresComputeTime: Bool { true }
}

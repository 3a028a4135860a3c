import Foundation
import Pipeline
import Support

/// `repro audit`: checks a lock's results without retraining them. Every training stage
/// of the selection is audited by `TrainingAudit` (sampled segments replayed bit for bit);
/// then every other stage downstream of the trainings is recomputed from their
/// checkpoints by the `Verifier`, the trainings' records and outputs taken as they are.
/// Works on the local store only: what a pull brought, or what a run left.
struct Audit {
    let pipeline: PipelineDefinition
    let artifacts: Artifacts
    let targets: [String]
    let sample: SegmentSample
    let options: RunOptions
    let print: (String) -> Void

    /// True when everything matched.
    func run() throws -> Bool {
        let names = pipeline.upstreamClosure(
            targets.isEmpty ? pipeline.stages.map(\.name) : try pipeline.expand(targets))
        try requireUpToDate(names)
        let lock = try LockFile.read(artifacts.lockFile(profile: pipeline.profile))
        let trainings = names.compactMap(pipeline.stage).filter { $0.kind.name == TrainKind().name }
        let counted = sample.count.map { "\($0) segment\($0 == 1 ? "" : "s")" } ?? "every segment"
        print(
            "audit of profile \(pipeline.profile): seed \(sample.seed) (repeat with --seed \(sample.seed)), "
                + "\(counted) of each of \(trainings.count) trainings replayed")
        let scratch = artifacts.root.appendingPathComponent("scratch-audit-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let results = audits(trainings, lock: lock, scratch: scratch)
        for result in results { print(Self.line(result)) }
        print(share(results))
        print(DetectionOdds.formula)
        let reused = Set(pipeline.upstreamClosure(trainings.map(\.name)))
        let verified = try Verifier(
            pipeline: pipeline, artifacts: artifacts, options: options, comparers: PipelineSetup.comparers
        ).run(stages: names, reusing: reused)
        print(verified.text)
        let failed = results.filter { $0.failure != nil }.count
        print(
            failed == 0 && verified.passed
                ? "audit passed" : "audit failed: \(failed) training\(failed == 1 ? "" : "s") differ from their proof")
        return failed == 0 && verified.passed
    }

    /// The trainings' audits, `jobs` at a time, each on its share of the cores (the replay's
    /// bits do not depend on the thread count); in the trainings' order.
    private func audits(_ trainings: [ResolvedStage], lock: LockFile, scratch: URL) -> [TrainingAudit.Result] {
        let jobs = max(1, min(options.jobs, trainings.count))
        let mutex = NSLock()
        var next = 0
        var results = [TrainingAudit.Result?](repeating: nil, count: trainings.count)
        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while true {
                let index: Int = mutex.withLock {
                    defer { next += 1 }
                    return next
                }
                guard index < trainings.count else { return }
                let audit = TrainingAudit(
                    stage: trainings[index], entry: lock.stages[trainings[index].name]!, store: artifacts.store,
                    scratch: scratch, threads: max(1, options.cores / jobs))
                let result = audit.run(sample) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
                mutex.withLock { results[index] = result }
            }
        }
        return results.map { $0! }
    }

    /// An audit checks what the lock says: every stage must be up to date with it here.
    private func requireUpToDate(_ names: [String]) throws {
        let status = try StatusReport.compute(pipeline: pipeline, artifacts: artifacts)
        let selected = Set(names)
        guard let stale = status.stages.first(where: { selected.contains($0.name) && $0.state != .upToDate }) else {
            return
        }
        throw Failure.failed(
            "audit: stage \(stale.name) is not up to date with \(pipeline.profile).lock "
                + "(\(stale.reasons.map(\.description).joined(separator: "; "))); pull or run it first")
    }

    static func line(_ result: TrainingAudit.Result) -> String {
        if let failure = result.failure {
            return "MISMATCH \(result.stage): " + (failure.epoch.map { "epoch \($0): " } ?? "") + failure.message
        }
        let segments = result.replayed.map { "\($0.lowerBound)→\($0.upperBound)" }.joined(separator: ", ")
        let odds = DetectionOdds(
            segments: result.segments, replayed: result.replayed.count, epochs: result.epochs, every: result.every)
        return
            "ok \(result.stage): initial state, chain, states and checkpoint match; replayed epochs \(segments) "
            + "(\(result.replayed.count) of \(result.segments) segments, \(result.replayedEpochs) of \(result.epochs) "
            + "epochs) bit for bit\n  \(odds.text)"
    }

    /// The share of the selection's training compute replayed, each epoch weighted by its
    /// recipe's multiply-adds (`TrainingCost`: the student's passes and the teacher's forward).
    private func share(_ results: [TrainingAudit.Result]) -> String {
        var total = 0.0, replayed = 0.0
        for result in results {
            guard let stage = pipeline.stage(result.stage), result.epochs > 0,
                let cost = try? TrainingCost(
                    TrainKind.Parameters(stage.parameters), lookup: { pipeline.stage($0)?.parameters })
            else { continue }
            let perEpoch = cost.flops / Double(result.epochs)
            total += cost.flops
            replayed += perEpoch * Double(result.replayedEpochs)
        }
        return String(
            format: "replayed %.1f %% of the training compute (%.3g of %.3g FLOP)",
            total > 0 ? 100 * replayed / total : 0,
            replayed, total)
    }
}

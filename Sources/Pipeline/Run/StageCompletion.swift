import Foundation
import Support

/// Completing a stage: one sequence, in this order, in one place. A kill between any two
/// steps leaves the store and the lock valid, and the next run ends with the lock an
/// uninterrupted run writes (`CompletionFaultTests` kills a run at each step):
///
/// 1. **publish** each output into the store under its SHA-256, in name order;
/// 2. **commit** the key's run record (atomic: temp, fsync, rename). Only now is the key
///    done, for every run, profile and process. Steps 1 and 2 happen where the stage
///    computed: this process, or a Slurm job's;
/// 3. **record** the stage's entry in the lock (the runner; written at most once a
///    second, and at the end of the run).
///
/// The run record, not the lock, says a key is done (Nix's "valid only after success"):
/// a lock entry whose outputs are in the store but whose run record is missing, because
/// a kill came between steps 1 and 2, is computed again (`StaleReason.resultIncomplete`).
/// Trusting it would hand dependents a record without its volatile outputs, which the
/// lock does not name.
struct StageCompletion {
    let stage: String
    let artifacts: Artifacts
    let hashes: HashCache

    /// Steps 1 and 2: the outputs into the store, then the run record; returns the record.
    func commit(_ result: StageResult, key: String, fingerprint: StageFingerprint, scratch: URL) throws -> StageRecord {
        var outputs: [String: OutputRecord] = [:]
        for (name, output) in result.outputs.sorted(by: { $0.key < $1.key }) {
            outputs[name] = try publish(name, output, scratch: scratch)
            CrashPoint.reach("published-\(name)", stage: stage)
        }
        let record = StageRecord(key: key, fingerprint: fingerprint, outputs: outputs, metrics: result.metrics)
        CrashPoint.reach("before-record", stage: stage)
        try RunRecords(artifacts: artifacts, hashes: hashes).write(record)
        CrashPoint.reach("after-record", stage: stage)
        return record
    }

    /// Step 3: the stage's entry into the lock (a no-op for `verify`, which has no writer).
    static func record(_ stage: String, _ record: StageRecord, in writer: LockWriter?) throws {
        CrashPoint.reach("before-lock", stage: stage)
        writer?.record(stage, record)
        try writer?.flush(now: false)
        CrashPoint.reach("after-lock", stage: stage)
    }

    private func publish(_ name: String, _ output: StageResult.Output, scratch: URL) throws -> OutputRecord {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output.file.path, isDirectory: &isDirectory) else {
            throw PipelineError.failed("output '\(name)' was not written (expected \(output.file.path))")
        }
        guard !isDirectory.boolValue else {
            throw PipelineError.failed("output '\(name)' is a directory; outputs must be files (archive the directory)")
        }
        let inScratch = output.file.standardizedFileURL.path.hasPrefix(scratch.standardizedFileURL.path + "/")
        let store = artifacts.store
        let sha = inScratch ? try store.put(consuming: output.file) : try store.put(copying: output.file)
        hashes.remember(store.path(sha), sha256: sha)
        return OutputRecord(sha256: sha, size: store.size(sha), volatile: output.volatile)
    }
}

/// A test hook for the completion sequence: with `REPRO_CRASH_STAGE=NAME` and
/// `REPRO_CRASH_AT=POINT` in the environment, this process kills itself with SIGKILL when
/// stage NAME reaches POINT (`published-OUTPUT`, `before-record`, `after-record`,
/// `before-lock`, `after-lock`; in `repro pull`, `pulling-OUTPUT`: part of that output's
/// blob is in a temporary file). Unset, it costs one comparison.
enum CrashPoint {
    private static let requested: (stage: String, point: String)? = {
        let environment = ProcessInfo.processInfo.environment
        guard let stage = environment["REPRO_CRASH_STAGE"], let point = environment["REPRO_CRASH_AT"] else {
            return nil
        }
        return (stage, point)
    }()

    static func reach(_ point: String, stage: String) {
        guard let requested, requested.stage == stage, requested.point == point else { return }
        kill(getpid(), SIGKILL)
    }
}

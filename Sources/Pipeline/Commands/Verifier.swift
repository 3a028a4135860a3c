import Foundation
import Support

/// `repro verify`: recomputes every stage of the profile into a scratch cache and
/// compares each non-volatile output's SHA-256 with the lock, the `nix build --check` of
/// this pipeline. For an output that differs, a registered comparer of its format names
/// what differs inside it (the executable's HDF5 comparer: the first differing dataset).
public struct Verifier {
    public struct Mismatch: Sendable {
        public let stage: String
        public let message: String
    }

    public struct Report: Sendable {
        public let checked: [String]
        public let mismatches: [Mismatch]
        /// Set when the lock was written in another numeric environment.
        public let environmentNote: String?
        public let summary: RunSummary
        public var passed: Bool { mismatches.isEmpty && summary.succeeded }

        public var text: String {
            var lines: [String] = []
            if let environmentNote { lines.append(environmentNote) }
            for mismatch in mismatches { lines.append("MISMATCH \(mismatch.stage): \(mismatch.message)") }
            for failed in summary.failed { lines.append("FAILED \(failed): the stage did not run to completion") }
            lines.append(
                passed
                    ? "verified: \(checked.count) stage\(checked.count == 1 ? "" : "s") reproduce the lock bit for bit"
                    : "verify failed: \(mismatches.count) stage\(mismatches.count == 1 ? "" : "s") differ from the lock"
            )
            return lines.joined(separator: "\n")
        }
    }

    public let pipeline: PipelineDefinition
    public let artifacts: Artifacts
    public let options: RunOptions
    public let comparers: OutputComparers

    public init(
        pipeline: PipelineDefinition, artifacts: Artifacts, options: RunOptions,
        comparers: OutputComparers = .none
    ) {
        self.pipeline = pipeline
        self.artifacts = artifacts
        self.options = options
        self.comparers = comparers
    }

    /// Recomputes `stages` (default: every stage of the profile) and their upstream
    /// closure, except the stages in `reusing`, whose run records and outputs are taken from
    /// this store into the scratch one (an audit's trainings, checked by replay instead).
    public func run(stages: [String]? = nil, reusing: Set<String> = []) throws -> Report {
        let lockURL = artifacts.lockFile(profile: pipeline.profile)
        let lock = try LockFile.read(lockURL)
        let names = pipeline.upstreamClosure(stages ?? pipeline.stages.map(\.name))
        let unrecorded = names.filter { lock.stages[$0] == nil }
        guard unrecorded.isEmpty else {
            throw PipelineError.failed(
                "\(lockURL.path) has no entry for \(unrecorded.joined(separator: ", ")); run `repro all --profile "
                    + "\(pipeline.profile)` first"
            )
        }
        let scratch = Artifacts(root: artifacts.root.appendingPathComponent("scratch-verify-\(getpid())"))
        var scratchOptions = options
        scratchOptions.recordInLock = false
        for name in reusing { try seed(scratch, with: lock.stages[name]) }
        let summary = try Runner(pipeline: pipeline, artifacts: scratch, options: scratchOptions).run(names)
        var mismatches: [Mismatch] = []
        for entry in summary.entries where !reusing.contains(entry.stage) {
            guard let produced = entry.record, let recorded = lock.stages[entry.stage] else { continue }
            if let message = firstDifference(recorded: recorded, produced: produced, scratch: scratch) {
                mismatches.append(Mismatch(stage: entry.stage, message: message))
            }
        }
        if mismatches.isEmpty && summary.succeeded { try? FileManager.default.removeItem(at: scratch.root) }
        return Report(
            checked: summary.entries.compactMap { $0.record == nil || reusing.contains($0.stage) ? nil : $0.stage },
            mismatches: mismatches,
            environmentNote: environmentNote(lock.environment), summary: summary)
    }

    /// Puts a stage's run record and its outputs (hard links) into the scratch store, so the
    /// scratch run reuses them as a result of the same key.
    private func seed(_ scratch: Artifacts, with entry: StageRecord?) throws {
        guard let entry, let record = RunRecords.read(entry.key, artifacts) else { return }
        for output in record.outputs.values where !output.isUnknown {
            let target = scratch.store.path(output.sha256)
            guard !FileManager.default.fileExists(atPath: target.path) else { continue }
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try HardLink.make(artifacts.store.path(output.sha256), at: target)
        }
        try RunRecords(artifacts: scratch, hashes: HashCache(file: scratch.hashes)).write(record)
    }

    private func firstDifference(recorded: StageRecord, produced: StageRecord, scratch: Artifacts) -> String? {
        let expected = recorded.outputs.filter { !$0.value.volatile }
        let actual = produced.outputs.filter { !$0.value.volatile }
        if Set(expected.keys) != Set(actual.keys) {
            return
                "outputs are [\(actual.keys.sorted().joined(separator: ", "))], the lock has "
                + "[\(expected.keys.sorted().joined(separator: ", "))]"
        }
        for name in expected.keys.sorted() where expected[name]!.sha256 != actual[name]!.sha256 {
            var message = "output \(name): sha256 \(actual[name]!.sha256) (now) vs \(expected[name]!.sha256) (lock)"
            let old = artifacts.store.path(expected[name]!.sha256), new = scratch.store.path(actual[name]!.sha256)
            if let inside = comparers.explain(expected: old, actual: new) { message += "; " + inside }
            return message + "; scratch outputs kept in \(scratch.root.path)"
        }
        return nil
    }

    private func environmentNote(_ recorded: [String: String]) -> String? {
        let current = options.environment
        guard recorded != current, !recorded.isEmpty else { return nil }
        let keys = Set(recorded.keys).union(current.keys).sorted().filter { recorded[$0] != current[$0] }
        let details = keys.map { "\($0): \(recorded[$0] ?? "(none)") in the lock, \(current[$0] ?? "(none)") here" }
        return
            "note: the lock was written in another numeric environment, so bitwise equality is not promised "
            + "(\(details.joined(separator: "; ")))"
    }
}

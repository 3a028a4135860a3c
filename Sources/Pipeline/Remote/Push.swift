import Foundation
import Support

/// `repro push`: every blob the lock's run records name (of every stage, or of the named
/// stages and their upstream closure), blobs first and run records last, so that a
/// record on the remote always has its blobs there (Bazel's evicted-CAS complaint).
/// Each blob is re-hashed before it is sent and skipped when the remote has it (HEAD).
///
/// Before anything is sent, every record the remote already holds under a key is
/// compared with ours (`RecordComparison`): a difference in a non-volatile output or a
/// metric is a determinism violation, reported for every stage with both hashes, exit 1,
/// nothing sent. A difference in volatile outputs only keeps the remote's record.
/// Two pushes at once are safe: blobs are content-addressed, and each record goes up
/// only after the blobs it names.
public struct Push {
    let pipeline: PipelineDefinition
    let artifacts: Artifacts
    let remote: any RemoteCache
    let quiet: Bool

    public init(
        pipeline: PipelineDefinition, remote: RemoteURL, environment: [String: String], quiet: Bool = false
    )
        throws
    {
        self.pipeline = pipeline
        self.artifacts = Artifacts(pipeline: pipeline)
        self.remote = try makeRemoteCache(remote, environment: environment)
        self.quiet = quiet
    }

    /// A record of this store and the remote's verdict on it.
    private struct Candidate {
        let item: RemoteSelection.Item
        let record: StageRecord
        /// False when the remote holds an equivalent record already (kept).
        let send: Bool
    }

    public func run(targets: [String]?) throws -> TransferSummary {
        try FileLock.holding(artifacts.locks.appendingPathComponent("gc.flock"), .shared) {
            let selection = try RemoteSelection(pipeline: pipeline, artifacts: artifacts, targets: targets)
            let candidates = try compare(try localRecords(selection))
            var summary = TransferSummary(verb: "pushed")
            try sendBlobs(candidates, &summary)
            for candidate in candidates {
                guard candidate.send else {
                    summary.recordsPresent += 1
                    continue
                }
                let file = artifacts.runRecord(candidate.item.key)
                try remote.store(file, at: .record(candidate.item.key), progress: { _ in })
                summary.records += 1
            }
            return summary
        }
    }

    /// Each item's run record here; exit 1 naming the stages that have none.
    private func localRecords(_ selection: RemoteSelection) throws -> [(RemoteSelection.Item, StageRecord)] {
        var missing: [String] = []
        let pairs = selection.items.compactMap { item -> (RemoteSelection.Item, StageRecord)? in
            guard let record = RunRecords.read(item.key, artifacts) else {
                missing.append(item.stages[0])
                return nil
            }
            return (item, record)
        }
        guard missing.isEmpty else {
            throw PipelineError.failed(
                "no run record here for \(RemoteSelection.list(missing)) of the lock; run them first (repro all "
                    + "--profile \(pipeline.profile))")
        }
        return pairs
    }

    /// The remote's records under our keys: absent (send ours), equivalent (keep theirs)
    /// or different (a determinism violation: all reported, nothing sent).
    private func compare(_ pairs: [(RemoteSelection.Item, StageRecord)]) throws -> [Candidate] {
        var violations: [String] = []
        var candidates: [Candidate] = []
        for (item, record) in pairs {
            let scratch = try artifacts.store.temporaryFile("record")
            guard let data = try remote.data(.record(item.key), scratch: scratch) else {
                candidates.append(Candidate(item: item, record: record, send: true))
                continue
            }
            guard let theirs = try? JSONValue.decode(StageRecord.self, from: data), theirs.key == item.key else {
                violations.append(
                    "\(item.label) (key \(item.key)): the remote's record is not a run record of this key")
                continue
            }
            let differences = RecordComparison.differences(record, theirs)
            if differences.isEmpty {
                candidates.append(Candidate(item: item, record: record, send: false))
            } else {
                violations.append(
                    "\(item.label) (key \(item.key)):\n" + differences.map { "    " + $0 }.joined(separator: "\n"))
            }
        }
        guard violations.isEmpty else {
            throw PipelineError.failed(
                "determinism violation: \(remote) already holds a different run record under the same key for "
                    + "\(violations.count) stage(s); nothing was pushed, nothing overwritten:\n  "
                    + violations.joined(separator: "\n  "))
        }
        return candidates
    }

    /// Every blob the records to send name, and the non-volatile ones of the records the
    /// remote keeps (its own volatile blobs are its business), each once.
    private func sendBlobs(_ candidates: [Candidate], _ summary: inout TransferSummary) throws {
        var seen = Set<String>()
        var blobs: [OutputRecord] = []
        for candidate in candidates {
            for (_, output) in candidate.record.outputs.sorted(by: { $0.key < $1.key })
            where (candidate.send || !output.volatile) && seen.insert(output.sha256).inserted {
                blobs.append(output)
            }
        }
        let progress = TransferProgress(
            verb: "push", bytes: blobs.reduce(0) { $0 + $1.size }, blobs: blobs.count, quiet: quiet)
        defer {
            summary.seconds = progress.seconds
            progress.stop()
        }
        for blob in blobs {
            if try remote.contains(.blob(blob.sha256)) {
                progress.skipped(bytes: blob.size)
                summary.blobsPresent += 1
                continue
            }
            // Re-hashed on the way out: a corrupted local entry is quarantined, never sent.
            let file = try artifacts.store.get(blob.sha256)
            try remote.store(file, at: .blob(blob.sha256), progress: progress.inFlight)
            progress.finished(bytes: blob.size)
            summary.blobs += 1
            summary.bytes += blob.size
        }
    }
}

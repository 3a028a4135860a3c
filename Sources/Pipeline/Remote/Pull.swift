import Foundation
import Support

/// `repro pull`: the run records of the stages the lock names (every stage, or the named
/// ones and their upstream closure) and the blobs they name. Each blob is verified
/// against its name before it enters the store (`ContentStore.put(consuming:expecting:)`:
/// a temporary file, hashed, then published, or removed); a record is written, atomically,
/// only once every blob it names is here. A record must agree with the lock on every
/// non-volatile output, or it is refused.
///
/// `outputsOnly` leaves out intermediate training states (`OutputRecord.isIntermediate`).
/// The record is still written whole, naming them: a stage whose only missing outputs are
/// intermediate counts as done (`RunRecords.valid`), so `repro status` shows it up to
/// date, and a later full pull fetches just the states.
///
/// A missing or damaged blob fails its stage (named, with the blob and both hashes); the
/// other stages are still pulled, and the pull exits 1. A pull killed at any moment
/// leaves a temporary file of a dead process, which the next pull or run removes.
public struct Pull {
    let pipeline: PipelineDefinition
    let artifacts: Artifacts
    let remote: any RemoteCache
    let outputsOnly: Bool
    let quiet: Bool

    public init(
        pipeline: PipelineDefinition, remote: RemoteURL, environment: [String: String], outputsOnly: Bool,
        quiet: Bool = false
    ) throws {
        self.pipeline = pipeline
        self.artifacts = Artifacts(pipeline: pipeline)
        self.remote = try makeRemoteCache(remote, environment: environment)
        self.outputsOnly = outputsOnly
        self.quiet = quiet
    }

    /// A record to take and the blobs it still needs here.
    private struct Wanted {
        let item: RemoteSelection.Item
        let data: Data
        let blobs: [(name: String, output: OutputRecord)]
    }

    public func run(targets: [String]?) throws -> TransferSummary {
        try FileLock.holding(artifacts.locks.appendingPathComponent("gc.flock"), .shared) {
            for abandoned in artifacts.store.abandonedTemporaryFiles() {
                try? FileManager.default.removeItem(at: abandoned)
            }
            let hashes = HashCache(file: artifacts.hashes)
            defer { hashes.save() }
            let selection = try RemoteSelection(pipeline: pipeline, artifacts: artifacts, targets: targets)
            var summary = TransferSummary(verb: "pulled")
            var wanted: [Wanted] = []
            for item in selection.items {
                // A stage's own problem (no record, a damaged one) fails that stage; the
                // remote's (unreachable, credentials refused) ends the pull.
                do {
                    if let next = try want(item, hashes) { wanted.append(next) } else { summary.recordsPresent += 1 }
                } catch let error as PipelineError {
                    summary.failures.append("\(item.label): \(error)")
                }
            }
            try fetch(wanted, hashes, &summary)
            return summary
        }
    }

    /// The outputs `item` needs from the remote; nil when its record and those outputs are
    /// here already.
    private func want(_ item: RemoteSelection.Item, _ hashes: HashCache) throws -> Wanted? {
        let needed = { (record: StageRecord) in
            record.outputs.sorted { $0.key < $1.key }.filter { name, output in
                !(outputsOnly && OutputRecord.isIntermediate(name: name))
                    && ((try? hashes.sha256(artifacts.store.path(output.sha256))) ?? nil) != output.sha256
            }.map { (name: $0.key, output: $0.value) }
        }
        if let local = RunRecords.read(item.key, artifacts), needed(local).isEmpty { return nil }
        let scratch = try artifacts.store.temporaryFile("record")
        guard let data = try remote.data(.record(item.key), scratch: scratch) else {
            throw PipelineError.failed("\(remote) has no run record for key \(item.key)")
        }
        guard let record = try? JSONValue.decode(StageRecord.self, from: data), record.key == item.key else {
            throw PipelineError.failed(
                "the remote's run record for key \(item.key) is damaged (not a run record of it)")
        }
        let differences = RecordComparison.differences(item.entry, record, mineName: "lock", theirsName: "remote")
            .filter { $0.hasPrefix("output ") }  // the lock's metrics are the record's, or older spellings
        guard differences.isEmpty else {
            throw PipelineError.failed(
                "the remote's run record disagrees with the lock (a determinism violation); not taken:\n    "
                    + differences.joined(separator: "\n    "))
        }
        return Wanted(item: item, data: data, blobs: needed(record))
    }

    /// Every wanted blob into the store, then each record whose blobs all came.
    private func fetch(_ wanted: [Wanted], _ hashes: HashCache, _ summary: inout TransferSummary) throws {
        var bytes: Int64 = 0
        var unique = Set<String>()
        for want in wanted {
            for blob in want.blobs where unique.insert(blob.output.sha256).inserted { bytes += blob.output.size }
        }
        let progress = TransferProgress(verb: "pull", bytes: bytes, blobs: unique.count, quiet: quiet)
        defer {
            summary.seconds = progress.seconds
            progress.stop()
        }
        var fetched = Set<String>()
        for want in wanted {
            var complete = true
            for blob in want.blobs where !fetched.contains(blob.output.sha256) {
                do {
                    try fetchBlob(blob.name, blob.output, of: want.item, hashes, progress)
                    fetched.insert(blob.output.sha256)
                    summary.blobs += 1
                    summary.bytes += blob.output.size
                } catch let error as PipelineError {
                    complete = false
                    summary.failures.append("\(want.item.label): \(error)")
                }
            }
            guard complete else { continue }
            try AtomicFile.write(want.data, to: artifacts.runRecord(want.item.key))
            summary.records += 1
        }
    }

    /// One blob: downloaded into a temporary file of the store, verified, published.
    private func fetchBlob(
        _ name: String, _ output: OutputRecord, of item: RemoteSelection.Item, _ hashes: HashCache,
        _ progress: TransferProgress
    ) throws {
        let what = "blob \(output.sha256) (output '\(name)')"
        let temporary = try artifacts.store.temporaryFile("pull")
        let stage = item.stages[0]
        let found = try remote.fetch(.blob(output.sha256), to: temporary) { bytes in
            progress.inFlight(bytes)
            CrashPoint.reach("pulling-\(name)", stage: stage)
        }
        guard found else { throw PipelineError.failed("\(what) is missing on \(remote)") }
        do {
            try artifacts.store.put(consuming: temporary, expecting: output.sha256)
        } catch StoreError.damaged(_, let actual) {
            throw PipelineError.failed(
                "\(what) is damaged on \(remote): its bytes hash to \(actual); nothing was stored")
        }
        hashes.remember(artifacts.store.path(output.sha256), sha256: output.sha256)
        progress.finished(bytes: output.size)
    }
}

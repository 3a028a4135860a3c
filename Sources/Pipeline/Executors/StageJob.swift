import Foundation

/// One stage whose key is known and not done: what the runner hands an executor. Its key
/// comes from the dependencies' actual outputs; `threads` is its share of the cores.
struct StageJob: Sendable {
    let stage: ResolvedStage
    let fingerprint: StageFingerprint
    /// The dependencies' records, with every output the stage may read.
    let dependencies: [String: StageRecord]
    /// Run even when the store already holds a result for the key.
    let forced: Bool
    let threads: Int
    /// Why it runs (for the progress line).
    let reasons: [StaleReason]

    var key: String { fingerprint.key }
    var name: String { stage.name }
    var because: String { reasons.map(\.description).joined(separator: "; ") }
}

/// What an executor did with a job.
enum JobResult: Sendable {
    /// Computed, and committed to the store (outputs and run record) by `StageCompletion`.
    case ran(StageRecord, seconds: Double)
    /// Another process committed the key first (it held the key's flock): nothing computed.
    case reused(StageRecord)

    var record: StageRecord {
        switch self {
        case .ran(let record, _), .reused(let record): return record
        }
    }
}

/// What every executor of one run shares: the project, the store and the console.
struct ExecutorContext: Sendable {
    let profile: String
    let pipelineDirectory: URL
    let artifacts: Artifacts
    let hashes: HashCache
    let display: ProgressDisplay
    let cancellation: Cancellation
}

import Foundation
import Support

/// `artifacts/slurm-ledger.json`: which Slurm job computes which stage key. Written
/// atomically under a flock right after each sbatch, so a driver killed with SIGKILL
/// leaves a ledger from which the next run reattaches to its jobs instead of submitting
/// them again; an entry is written before each sbatch too, so even a driver killed
/// between sbatch and the ledger leaves a token to find its job by. Entries go when their key is done or has failed
/// for good.
struct SlurmLedger: Sendable {
    struct Entry: Equatable, Sendable {
        let job: String
        let stage: String
        let profile: String
        /// 1 for the first job of the key; continuations and retries count up.
        let attempt: Int
        /// Seconds since 1970 when sbatch was called, whole: what the ledger holds.
        let submitted: Double
        /// A token written here before sbatch and into the job's comment: an entry whose
        /// job id is still empty (the driver died in between) is found by it in squeue.
        let submission: String

        init(job: String, stage: String, profile: String, attempt: Int, submitted: Double, submission: String = "") {
            self.job = job
            self.stage = stage
            self.profile = profile
            self.attempt = attempt
            self.submitted = submitted.rounded()
            self.submission = submission
        }

        func with(job: String) -> Entry {
            Entry(
                job: job, stage: stage, profile: profile, attempt: attempt, submitted: submitted, submission: submission
            )
        }
    }

    let artifacts: Artifacts

    var file: URL { artifacts.root.appendingPathComponent("slurm-ledger.json") }
    private var guardFile: URL { artifacts.locks.appendingPathComponent("slurm-ledger.flock") }

    /// Every entry, by stage key.
    func read() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: file.path), let json = try? JSONParser.parse(data) else {
            return [:]
        }
        return (json.objectValue ?? [:]).compactMapValues { try? $0.decode(Entry.self) }
    }

    func entry(_ key: String) -> Entry? { read()[key] }

    func set(_ key: String, _ entry: Entry?) throws {
        try FileLock.holding(guardFile) {
            var all = read()
            all[key] = entry
            try AtomicFile.write(JSONValue.data(all, .pretty), to: file)
        }
    }
}

/// Fields a ledger from before attempts and submission tokens lacks read as their defaults.
extension SlurmLedger.Entry: Codable {
    private enum CodingKeys: String, CodingKey { case job, stage, profile, attempt, submitted, submission }

    init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            job: try object.decode(String.self, forKey: .job),
            stage: try object.decode(String.self, forKey: .stage),
            profile: try object.decode(String.self, forKey: .profile),
            attempt: try object.decodeIfPresent(Int.self, forKey: .attempt) ?? 1,
            submitted: try object.decodeIfPresent(Double.self, forKey: .submitted) ?? 0,
            submission: try object.decodeIfPresent(String.self, forKey: .submission) ?? "")
    }
}

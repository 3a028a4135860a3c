import Foundation
import Support

/// `artifacts/slurm-ledger.json`: which Slurm job computes which stage key. Written
/// atomically under a flock right after each sbatch, so a driver killed with SIGKILL
/// leaves a ledger from which the next run reattaches to its jobs instead of submitting
/// them again; an entry is written before each sbatch too, so even a driver killed
/// between sbatch and the ledger leaves a token to find its job by. Entries go when their key is done or has failed for good.
struct SlurmLedger: Sendable {
    struct Entry: Equatable, Sendable {
        let job: String
        let stage: String
        let profile: String
        /// 1 for the first job of the key; continuations and retries count up.
        let attempt: Int
        /// Seconds since 1970 when sbatch was called.
        let submitted: Double
        /// A token written here before sbatch and into the job's comment: an entry whose
        /// job id is still empty (the driver died in between) is found by it in squeue.
        let submission: String

        var json: JSONValue {
            .object(["job": .string(job), "stage": .string(stage), "profile": .string(profile),
                     "attempt": .int(attempt), "submitted": .double(submitted.rounded()), "submission": .string(submission)])
        }

        init(job: String, stage: String, profile: String, attempt: Int, submitted: Double, submission: String = "") {
            self.job = job
            self.stage = stage
            self.profile = profile
            self.attempt = attempt
            self.submitted = submitted
            self.submission = submission
        }

        func with(job: String) -> Entry {
            Entry(job: job, stage: stage, profile: profile, attempt: attempt, submitted: submitted, submission: submission)
        }

        init?(json: JSONValue) {
            guard let job = json["job"]?.stringValue, let stage = json["stage"]?.stringValue,
                  let profile = json["profile"]?.stringValue else { return nil }
            self.init(job: job, stage: stage, profile: profile, attempt: json["attempt"]?.intValue ?? 1,
                      submitted: json["submitted"]?.doubleValue ?? 0, submission: json["submission"]?.stringValue ?? "")
        }
    }

    let artifacts: Artifacts

    var file: URL { artifacts.root.appendingPathComponent("slurm-ledger.json") }
    private var guardFile: URL { artifacts.locks.appendingPathComponent("slurm-ledger.flock") }

    /// Every entry, by stage key.
    func read() -> [String: Entry] {
        guard let data = FileManager.default.contents(atPath: file.path), let json = try? JSONParser.parse(data) else { return [:] }
        return (json.objectValue ?? [:]).compactMapValues(Entry.init(json:))
    }

    func entry(_ key: String) -> Entry? { read()[key] }

    func set(_ key: String, _ entry: Entry?) throws {
        try FileLock.holding(guardFile) {
            var all = read()
            all[key] = entry
            try AtomicFile.write(Data(JSONValue.object(all.mapValues(\.json)).pretty.utf8), to: file)
        }
    }
}

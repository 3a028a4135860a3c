/// What a run did with each stage it considered, in execution order.
public struct RunSummary: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The stage ran (for this many seconds).
        /// `started`: seconds from the start of the run, so overlapping stages show as such.
        case ran(seconds: Double, started: Double)
        /// The lock's entry matched: nothing to do.
        case upToDate
        /// The store already held the result of this key (another profile, another
        /// process, an earlier revision): recorded without running.
        case reused
        /// The stage's error, typed (see `StageFailure`).
        case failed(StageFailure)
        /// Not run, with the reason (a dependency failed, the run stopped).
        case skipped(String)
    }

    public struct Entry: Sendable {
        public let stage: String
        public let outcome: Outcome
        /// Why it was not up to date (empty when it was).
        public let reasons: [StaleReason]
        /// What it produced or reused.
        public let record: StageRecord?
    }

    public let entries: [Entry]

    public var succeeded: Bool {
        !entries.contains { if case .failed = $0.outcome { return true } else { return false } } && skipped.isEmpty
    }
    public var ran: [String] { names { if case .ran = $0 { return true } else { return false } } }
    public var reused: [String] { names { $0 == .reused } }
    public var upToDate: [String] { names { $0 == .upToDate } }
    public var failed: [String] { names { if case .failed = $0 { return true } else { return false } } }
    public var skipped: [String] { names { if case .skipped = $0 { return true } else { return false } } }

    /// Why each failed stage failed, in execution order.
    public var failures: [StageFailure] {
        entries.compactMap { if case .failed(let failure) = $0.outcome { return failure } else { return nil } }
    }

    /// True when a stage failed because of its input (a checksum, a damaged archive, a
    /// teacher of another class count): the command line exits 2 rather than 1, since the
    /// user has to fix the input before anything else helps.
    public var failedOnBadInput: Bool { failures.contains(where: \.isBadInput) }

    public func entry(_ stage: String) -> Entry? { entries.first { $0.stage == stage } }

    private func names(_ matching: (Outcome) -> Bool) -> [String] {
        entries.filter { matching($0.outcome) }.map(\.stage)
    }

    /// The summary printed at the end of `repro all` / `repro stage`.
    public var text: String {
        var lines: [String] = []
        var total = 0.0
        for entry in entries {
            switch entry.outcome {
            case .ran(let seconds, let started):
                total += seconds
                lines.append(
                    "ran      \(entry.stage) (\(Duration.text(seconds)), started at +\(Duration.text(started)))"
                        + because(entry.reasons))
            case .reused:
                lines.append("reused   \(entry.stage) (cached result of the same key)")
            case .failed(let failure):
                lines.append("FAILED   \(entry.stage): \(failure.message)")
            case .skipped(let why):
                lines.append("skipped  \(entry.stage): \(why)")
            case .upToDate:
                break
            }
        }
        let counts =
            "\(ran.count) ran, \(reused.count) reused, \(upToDate.count) up to date, \(failed.count) failed, "
            + "\(skipped.count) skipped"
        lines.append(counts + (ran.isEmpty ? "" : " (stage time \(Duration.text(total)))"))
        return lines.joined(separator: "\n")
    }

    private func because(_ reasons: [StaleReason]) -> String {
        reasons.isEmpty ? "" : ": " + reasons.map(\.description).joined(separator: "; ")
    }
}

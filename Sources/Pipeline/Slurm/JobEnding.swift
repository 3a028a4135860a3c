import Foundation

/// Why a job ended without a valid run record, decided from Slurm's final state, the
/// job's exit code and its log. Only infrastructure failures are worth retrying: the
/// engine is deterministic, so a stage's own error would repeat.
enum JobEnding: Equatable, Sendable {
    /// The stage itself failed (its log says why): not retried.
    case stageError(exitCode: Int)
    /// The stage checkpointed before its time limit and asked for a continuation job.
    case continuation
    /// Killed at its time limit without asking to continue.
    case timeLimit
    /// Killed for exceeding its memory request.
    case outOfMemory
    case nodeFailure(String)
    case preempted
    case cancelled
    /// Slurm no longer knows the job and it left no result.
    case lost

    /// `repro run-key`'s exit code for "checkpointed, submit me again" (EX_TEMPFAIL).
    static let continueCode = 75

    init(_ job: SlurmJobState, log: URL) {
        let tail = Self.tail(of: log)
        if tail.contains("exceeded memory limit") || job.state == "OUT_OF_MEMORY" {
            self = .outOfMemory
            return
        }
        switch job.state {
        case "COMPLETED", "FAILED":
            if job.exitCode == Self.continueCode {
                self = .continuation
            } else if job.state == "FAILED" && job.exitCode >= 128 {
                self = .nodeFailure("killed by signal \(job.exitCode - 128) (\(job.reason))")
            } else {
                self = .stageError(exitCode: job.exitCode)
            }
        case "TIMEOUT", "DEADLINE":
            self = job.exitCode == Self.continueCode ? .continuation : .timeLimit
        case "NODE_FAIL", "BOOT_FAIL": self = .nodeFailure(job.state)
        // a preempted job that saved its state on SIGTERM asks to continue like a timed-out one
        case "PREEMPTED": self = job.exitCode == Self.continueCode ? .continuation : .preempted
        case "CANCELLED": self = tail.contains("DUE TO TIME LIMIT") ? .timeLimit : .cancelled
        default: self = .nodeFailure("\(job.state) (\(job.reason))")
        }
    }

    /// Worth resubmitting under `--retries` (the stage's error and a cancel are not).
    var isInfrastructure: Bool {
        switch self {
        case .outOfMemory, .nodeFailure, .preempted, .lost, .timeLimit: return true
        case .stageError, .continuation, .cancelled: return false
        }
    }

    var description: String {
        switch self {
        case .stageError(let code): return "stage error (exit \(code))"
        case .continuation: return "checkpointed before its time limit"
        case .timeLimit:
            return "time limit reached before a checkpoint (raise --slurm-time, or let the stage checkpoint)"
        case .outOfMemory: return "out of memory (raise --slurm-mem or the stage's mem)"
        case .nodeFailure(let what): return "node failure: \(what)"
        case .preempted: return "preempted"
        case .cancelled: return "cancelled"
        case .lost: return "lost: Slurm no longer knows the job and it left no result"
        }
    }

    private static func tail(of log: URL) -> String {
        guard let handle = try? FileHandle(forReadingFrom: log) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 65536 ? size - 65536 : 0)
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }
}

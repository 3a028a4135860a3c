/// One job as `squeue -h -t all -O JobID,State,exit_code,Reason` reports it.
struct SlurmJobState: Equatable, Sendable {
    let id: String
    /// PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, TIMEOUT, CANCELLED, NODE_FAIL, …
    let state: String
    /// The raw wait status (exit 3 → 768, SIGKILL → 9).
    let waitStatus: Int
    let reason: String

    /// Still queued or running: wait (COMPLETING is not final either).
    var isActive: Bool {
        [
            "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED",
            "RESIZING", "SUSPENDED", "STOPPED", "SIGNALING", "STAGE_OUT", "RESV_DEL_HOLD",
        ].contains(state)
    }

    /// The job script's exit code, or 128 + signal when a signal ended it.
    var exitCode: Int {
        let signal = waitStatus & 0x7f
        return signal == 0 ? (waitStatus >> 8) & 0xff : 128 + signal
    }

    /// Parses the `|`-separated lines of the status query; malformed lines are left out
    /// (their jobs then count as unknown, never as finished).
    static func parse(_ output: String) -> [String: SlurmJobState] {
        var states: [String: SlurmJobState] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count >= 4, !fields[0].isEmpty, let status = Int(fields[2]) else { continue }
            states[fields[0]] = SlurmJobState(id: fields[0], state: fields[1], waitStatus: status, reason: fields[3])
        }
        return states
    }
}

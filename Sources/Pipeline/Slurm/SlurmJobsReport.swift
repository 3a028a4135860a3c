import Foundation

/// The Slurm part of `repro status`: the ledger's jobs with what one squeue says about
/// them (state, time since submission). nil when the ledger is empty.
public struct SlurmJobsReport {
    let artifacts: Artifacts

    public init(artifacts: Artifacts) {
        self.artifacts = artifacts
    }

    public var text: String? {
        let entries = SlurmLedger(artifacts: artifacts).read()
        guard !entries.isEmpty else { return nil }
        let states = SlurmClient().states(entries.values.map(\.job))
        let now = Date().timeIntervalSince1970
        var lines = ["Slurm jobs (\(SlurmLedger(artifacts: artifacts).file.path)):"]
        for (key, entry) in entries.sorted(by: { $0.value.submitted < $1.value.submitted }) {
            let state: String
            switch (states, states?[entry.job]) {
            case (nil, _): state = "unknown (controller unreachable)"
            case (_, let job?): state = job.state
            default: state = "not known to Slurm (finished more than MinJobAge ago)"
            }
            let elapsed = Duration.text(max(0, now - entry.submitted))
            lines.append(
                "  job \(entry.job)  \(state)  \(elapsed) since submission  \(entry.stage) (attempt "
                    + "\(entry.attempt), key \(key.prefix(12)))"
            )
        }
        return lines.joined(separator: "\n")
    }
}

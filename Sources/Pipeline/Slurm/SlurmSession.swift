import Foundation

/// What the stages of one `--executor slurm` run share: the settings, the ledger, the
/// polling monitor, and the jobs this run submitted (what Ctrl-C cancels).
final class SlurmSession: @unchecked Sendable {
    let settings: SlurmSettings
    let client = SlurmClient()
    let ledger: SlurmLedger
    let monitor: SlurmMonitor
    private let lock = NSLock()
    private var submittedIDs: [String] = []
    private var finishedIDs = Set<String>()

    init(settings: SlurmSettings, artifacts: Artifacts, display: ProgressDisplay) {
        self.settings = settings
        self.ledger = SlurmLedger(artifacts: artifacts)
        self.monitor = SlurmMonitor(client: client, interval: settings.pollInterval) { display.emit($0) }
    }

    func submitted(_ id: String) { lock.withLock { submittedIDs.append(id) } }
    func finished(_ id: String) { _ = lock.withLock { finishedIDs.insert(id) } }

    /// Jobs this run submitted or reattached to that have not ended yet.
    var activeIDs: [String] { lock.withLock { submittedIDs.filter { !finishedIDs.contains($0) } } }

    /// Ctrl-C: one batched scancel of every job this run still waits on (none with
    /// `--detach`). Returns what it did, for the message on stderr.
    func cancelActive() -> String {
        let ids = activeIDs
        guard !ids.isEmpty else { return "no Slurm jobs to cancel" }
        if settings.detach {
            return
                "detached: \(ids.count) Slurm job(s) keep running (\(ids.joined(separator: ","))); rerun the same "
                + "command to reattach"
        }
        let failed = client.cancel(ids)
        if failed.isEmpty { return "cancelled \(ids.count) Slurm job(s): \(ids.joined(separator: ","))" }
        return
            "could not cancel job(s) \(failed.joined(separator: ",")); cancel them by hand: scancel "
            + "\(failed.joined(separator: " "))"
    }

    func close() {
        monitor.stop()
    }
}

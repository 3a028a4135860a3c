import Foundation

/// The one place that asks Slurm about jobs: a polling thread that runs one batched
/// squeue for every job being waited on, at most once per `interval`, however many
/// stages wait. Waiters block on a condition until the next answer (or cancellation).
final class SlurmMonitor: @unchecked Sendable {
    /// What the last query said about a job.
    enum Observation: Equatable {
        case known(SlurmJobState)
        /// Missing from this many successful answers in a row (a purged job, or one
        /// squeue has not caught up with): never "done" or "failed" by itself.
        case missing(times: Int)
        /// The controller could not be asked: try again later.
        case unreachable
    }

    private let client: SlurmClient
    private let interval: Double
    /// Told when the controller stops answering and when it answers again.
    private let report: @Sendable (String) -> Void
    private var unreachableSince: Date?
    private let condition = NSCondition()
    private var watched: [String: Int] = [:]  // job id → waiters
    private var observations: [String: Observation] = [:]
    private var generation = 0
    private var stopped = false
    /// Query count and total seconds, for the polling-cost figure (`--slurm-stats`).
    private(set) var queries = 0
    private(set) var querySeconds = 0.0

    init(client: SlurmClient, interval: Double, report: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.interval = interval
        self.report = report
        let thread = Thread { [self] in loop() }
        thread.start()
    }

    func stop() {
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    func watch(_ id: String) {
        condition.withLock {
            watched[id, default: 0] += 1
            condition.broadcast()
        }
    }

    func unwatch(_ id: String) {
        condition.withLock {
            watched[id, default: 1] -= 1
            if watched[id]! <= 0 {
                watched[id] = nil
                observations[id] = nil
            }
        }
    }

    /// Blocks until an answer newer than `after` (a generation number; 0 at first), or
    /// until `wakeEarly` says so (checked each second). Returns the new generation and
    /// what it said about `id`.
    func next(after: Int, id: String, wakeEarly: () -> Bool) -> (generation: Int, observation: Observation?) {
        condition.lock()
        defer { condition.unlock() }
        while generation <= after && !stopped && !wakeEarly() {
            _ = condition.wait(until: Date().addingTimeInterval(1))
        }
        return (generation, observations[id])
    }

    private func loop() {
        condition.lock()
        while !stopped {
            if watched.isEmpty {
                condition.wait()
                continue
            }
            let ids = watched.keys.sorted { Int($0) ?? 0 < Int($1) ?? 0 }
            condition.unlock()
            let started = Date()
            let answer = client.states(ids)
            let seconds = Date().timeIntervalSince(started)
            condition.lock()
            queries += 1
            querySeconds += seconds
            if answer == nil, unreachableSince == nil {
                unreachableSince = started
                report(
                    "Slurm does not answer (squeue failed); the jobs are unknown, not failed: asking again every "
                        + "\(interval) s"
                )
            } else if answer != nil, let since = unreachableSince {
                unreachableSince = nil
                report("Slurm answers again after \(Duration.text(Date().timeIntervalSince(since)))")
            }
            for id in ids {
                if let answer {
                    if let state = answer[id] {
                        observations[id] = .known(state)
                    } else if case .missing(let times) = observations[id] {
                        observations[id] = .missing(times: times + 1)
                    } else {
                        observations[id] = .missing(times: 1)
                    }
                } else {
                    observations[id] = .unreachable
                }
            }
            generation += 1
            condition.broadcast()
            // Rate limit: the next query no sooner than `interval` after this one started.
            let nextQuery = started.addingTimeInterval(interval)
            while !stopped && Date() < nextQuery { _ = condition.wait(until: nextQuery) }
        }
        condition.unlock()
    }
}

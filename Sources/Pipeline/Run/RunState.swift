import Foundation

/// One run's bookkeeping, shared by the runner's loop and its worker threads under the
/// runner's condition lock.
final class RunState: @unchecked Sendable {
    enum StageState {
        case pending
        case running(threads: Int)
        case done(StageRecord)
        case failed
        case skipped

        var record: StageRecord? {
            if case .done(let record) = self { return record }
            return nil
        }

        var threads: Int? {
            if case .running(let threads) = self { return threads }
            return nil
        }

        var isPending: Bool {
            if case .pending = self { return true }
            return false
        }

        var isBroken: Bool {
            switch self {
            case .failed, .skipped: return true
            default: return false
            }
        }
    }

    let order: [ResolvedStage]
    /// The lock as the run found it.
    let lock: LockFile
    /// Nil for `verify`, which leaves the lock alone.
    let writer: LockWriter?
    let executor: any Executor
    let context: ExecutorContext
    let keepGoing: Bool
    let start = Date()
    var states: [String: StageState]
    var outcomes: [String: RunSummary.Outcome] = [:]
    var reasons: [String: [StaleReason]] = [:]
    var evaluations: [String: StageEvaluation] = [:]
    /// Stages already found to have no cached result (checked once, not per wake-up).
    var notCached = Set<String>()
    var stopReason: String?

    init(
        order: [ResolvedStage], lock: LockFile, writer: LockWriter?, executor: any Executor, context: ExecutorContext,
        keepGoing: Bool
    ) {
        self.order = order
        self.lock = lock
        self.writer = writer
        self.executor = executor
        self.context = context
        self.keepGoing = keepGoing
        states = Dictionary(uniqueKeysWithValues: order.map { ($0.name, StageState.pending) })
    }

    /// Pending stages whose dependencies are all done, in pipeline order.
    func ready() -> [ResolvedStage] {
        order.filter { stage in
            states[stage.name]!.isPending && stage.dependencies.allSatisfy { states[$0]!.record != nil }
        }
    }

    /// The threads of each job in flight.
    var runningThreads: [Int] { states.values.compactMap(\.threads) }

    func settle(_ stage: String, _ record: StageRecord, _ outcome: RunSummary.Outcome) {
        states[stage] = .done(record)
        outcomes[stage] = outcome
    }

    func fail(_ stage: String, _ failure: StageFailure) {
        states[stage] = .failed
        outcomes[stage] = .failed(failure)
        context.display.emit("FAILED \(stage): \(failure.message)")
        if !keepGoing && stopReason == nil {
            stopReason =
                "not started: the run stopped after \(stage) failed (use --keep-going to continue past failures)"
        }
    }

    func summary() -> RunSummary {
        RunSummary(
            entries: order.map { stage in
                RunSummary.Entry(
                    stage: stage.name, outcome: outcomes[stage.name]!, reasons: reasons[stage.name] ?? [],
                    record: states[stage.name]!.record)
            })
    }
}

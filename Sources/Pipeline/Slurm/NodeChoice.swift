/// The nodes each stage gets on a cluster of a given shape, chosen to shorten the
/// critical path: every stage starts on one node (or the nodes `resources:` fixed), then,
/// one step at a time, the stage on the critical path whose own time drops most gets the
/// next node count that lowers its parts per rank (⌈K/P⌉), kept when the whole
/// schedule (`ClusterSchedule`, N nodes shared) ends sooner. A training stage can use up
/// to its `devices` nodes (one rank per node); stages without a `WorkEstimate` use one.
struct NodeChoice: Sendable {
    /// One stage as the choice sees it.
    struct Stage: Sendable {
        let name: String
        let dependencies: [String]
        /// The last run's duration: a stage that has one keeps it and one node.
        let lastRun: Double?
        let work: WorkEstimate?
        /// The kind's own estimate, for a stage without a work model.
        let estimate: Double?
        /// Nodes `resources:` or the command line fixed.
        let fixedNodes: Int?
        let threads: Int
    }

    let gigabits: Double
    private(set) var nodes: [String: Int] = [:]
    private(set) var schedule: ClusterSchedule

    init(_ stages: [Stage], capacity: Int, gigabits: Double) {
        self.gigabits = gigabits
        var nodes = Dictionary(uniqueKeysWithValues: stages.map { ($0.name, min(capacity, $0.fixedNodes ?? 1)) })
        var schedule = Self.schedule(stages, nodes, capacity: capacity, gigabits: gigabits)
        var tried = Set<String>()
        while true {
            let path = schedule.criticalPath
            let candidates = stages.filter { path.stages.contains($0.name) && !tried.contains($0.name) }
                .compactMap { stage in
                    Self.more(stage, than: nodes[stage.name]!, capacity: capacity, gigabits: gigabits).map {
                        (stage.name, $0.nodes, $0.saving)
                    }
                }
            guard let pick = candidates.max(by: { ($0.2, $1.0) < ($1.2, $0.0) }) else { break }
            var trial = nodes
            trial[pick.0] = pick.1
            let next = Self.schedule(stages, trial, capacity: capacity, gigabits: gigabits)
            if next.criticalPath.seconds < path.seconds {
                (nodes, schedule) = (trial, next)
                tried = []
            } else {
                tried.insert(pick.0)
            }
        }
        self.nodes = nodes
        self.schedule = schedule
    }

    /// `stage`'s duration on `nodes` nodes.
    static func seconds(_ stage: Stage, nodes: Int, gigabits: Double) -> Double {
        stage.lastRun ?? stage.work?.seconds(nodes: nodes, threads: stage.threads, gigabits: gigabits)
            ?? stage.estimate ?? 0
    }

    /// The next node count past `current` that gives each rank fewer parts, and the time it saves.
    static func more(
        _ stage: Stage, than current: Int, capacity: Int, gigabits: Double
    ) -> (
        nodes: Int, saving: Double
    )? {
        guard stage.lastRun == nil, stage.fixedNodes == nil, let work = stage.work else { return nil }
        let perRank = { (n: Int) in (work.parts + n - 1) / n }
        guard
            let next = (current + 1...max(current + 1, min(work.parts, capacity))).first(where: {
                $0 <= min(work.parts, capacity) && perRank($0) < perRank(current)
            })
        else { return nil }
        let saving =
            seconds(stage, nodes: current, gigabits: gigabits) - seconds(stage, nodes: next, gigabits: gigabits)
        return saving > 0 ? (next, saving) : nil
    }

    static func schedule(
        _ stages: [Stage], _ nodes: [String: Int], capacity: Int, gigabits: Double
    )
        -> ClusterSchedule
    {
        ClusterSchedule(
            stages.map {
                ClusterSchedule.Task(
                    stage: $0.name, seconds: seconds($0, nodes: nodes[$0.name]!, gigabits: gigabits),
                    nodes: nodes[$0.name]!, dependencies: $0.dependencies)
            }, capacity: capacity)
    }
}

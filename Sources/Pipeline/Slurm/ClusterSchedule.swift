/// When each stage would start and finish on a cluster of `capacity` nodes (nil: as
/// many as the ready stages ask for): a list schedule in which a stage starts once its
/// dependencies are done and its nodes are free, ready stages taken longest remaining
/// chain first, a smaller one going ahead when the first does not fit.
struct ClusterSchedule: Sendable {
    /// A stage to schedule: its duration, the nodes it holds and what it waits for.
    struct Task: Sendable {
        let stage: String
        let seconds: Double
        let nodes: Int
        let dependencies: [String]
    }

    private(set) var start: [String: Double] = [:]
    private(set) var finish: [String: Double] = [:]
    /// The chain's previous link of each stage: its dependency that finished last, or the
    /// stage whose end freed its nodes when it waited for them.
    private(set) var previous: [String: String] = [:]

    /// `tasks` in execution order (dependencies first; dependencies not among them are done).
    init(_ tasks: [Task], capacity: Int?) {
        let names = Set(tasks.map(\.stage))
        let remaining = Self.remainingChain(tasks)
        var waiting = tasks.map { task in
            Task(
                stage: task.stage, seconds: task.seconds, nodes: min(task.nodes, capacity ?? task.nodes),
                dependencies: task.dependencies.filter(names.contains))
        }
        var running: [(stage: String, finish: Double, nodes: Int)] = []
        var free = capacity ?? Int.max, now = 0.0, lastEnded: String?
        while !waiting.isEmpty {
            let ready = waiting.filter { $0.dependencies.allSatisfy { finish[$0] != nil } }
                .sorted { (remaining[$0.stage]!, $1.stage) > (remaining[$1.stage]!, $0.stage) }
            for task in ready where task.nodes <= free {
                free -= task.nodes
                start[task.stage] = now
                running.append((task.stage, now + task.seconds, task.nodes))
                let dependency = task.dependencies.max { finish[$0]! < finish[$1]! }
                let waited = now > (dependency.map { finish[$0]! } ?? 0)
                previous[task.stage] = waited ? lastEnded : dependency
                waiting.removeAll { $0.stage == task.stage }
            }
            // the next stage to end frees its nodes (and may make others ready)
            guard let next = running.indices.min(by: { running[$0].finish < running[$1].finish }) else { break }
            let ended = running.remove(at: next)
            now = ended.finish
            lastEnded = ended.stage
            finish[ended.stage] = ended.finish
            free += ended.nodes
        }
        for rest in running { finish[rest.stage] = rest.finish }
    }

    /// Each stage's duration plus the longest chain of its dependents after it.
    private static func remainingChain(_ tasks: [Task]) -> [String: Double] {
        var dependents: [String: [String]] = [:]
        for task in tasks { for dep in task.dependencies { dependents[dep, default: []].append(task.stage) } }
        var remaining: [String: Double] = [:]
        for task in tasks.reversed() {
            let after = (dependents[task.stage] ?? []).compactMap { remaining[$0] }.max() ?? 0
            remaining[task.stage] = task.seconds + after
        }
        return remaining
    }

    /// The stage that ends last and the chain of dependencies leading to it, and when it ends.
    var criticalPath: (stages: [String], seconds: Double) {
        guard var last = finish.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key
        else { return ([], 0) }
        let total = finish[last]!
        var chain = [last]
        while let before = previous[last] {
            chain.append(before)
            last = before
        }
        return (chain.reversed(), total)
    }
}

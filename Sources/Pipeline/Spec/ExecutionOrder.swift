/// Orders stages so that every stage comes after its dependencies; reports a cycle as
/// `a → b → a`.
enum ExecutionOrder {
    static func sort(_ stages: [ResolvedStage], path: String) throws -> [ResolvedStage] {
        let position = Dictionary(uniqueKeysWithValues: stages.enumerated().map { ($1.name, $0) })
        var remaining = stages.map { Set($0.dependencies).count }
        var dependents = [[Int]](repeating: [], count: stages.count)
        for (i, stage) in stages.enumerated() {
            for dep in Set(stage.dependencies) { dependents[position[dep]!].append(i) }
        }
        // Kahn's algorithm; the ready set is kept sorted by file position, so the order
        // is the file order wherever dependencies allow it.
        var ready = (0..<stages.count).filter { remaining[$0] == 0 }
        var order: [ResolvedStage] = []
        while !ready.isEmpty {
            let next = ready.removeFirst()
            order.append(stages[next])
            for d in dependents[next] {
                remaining[d] -= 1
                if remaining[d] == 0 {
                    let at = ready.firstIndex { $0 > d } ?? ready.count
                    ready.insert(d, at: at)
                }
            }
        }
        if order.count < stages.count {
            let cycle = findCycle(
                stages, position: position, blocked: Set((0..<stages.count).filter { remaining[$0] > 0 }))
            let first = stages[position[cycle[0]]!]
            throw PipelineError.spec(first.location, "the dependencies form a cycle: \(cycle.joined(separator: " → "))")
        }
        return order
    }

    /// A cycle among the stages that could not be ordered, starting at the first in file order.
    private static func findCycle(_ stages: [ResolvedStage], position: [String: Int], blocked: Set<Int>) -> [String] {
        var path: [Int] = []
        var onPath = Set<Int>()
        var visited = Set<Int>()
        func visit(_ i: Int) -> [String]? {
            path.append(i)
            onPath.insert(i)
            visited.insert(i)
            for dep in stages[i].dependencies {
                let d = position[dep]!
                guard blocked.contains(d) else { continue }
                if onPath.contains(d) {
                    let start = path.firstIndex(of: d)!
                    // Print in the direction data flows: dependency → dependent.
                    return (path[start...].map { stages[$0].name } + [stages[d].name]).reversed()
                }
                if !visited.contains(d), let found = visit(d) { return found }
            }
            path.removeLast()
            onPath.remove(i)
            return nil
        }
        for i in blocked.sorted() {
            if let cycle = visit(i) { return cycle }
        }
        return []
    }
}

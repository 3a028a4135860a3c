/// `repro all --executor slurm --dry-run`: what each job would ask Slurm for, and the
/// wall time of the critical path if every stage got a node the moment it is ready
/// (from the last runs' durations; stages never timed count as zero and are named).
public struct ClusterPlan {
    let plan: Plan
    let pipeline: PipelineDefinition
    let settings: SlurmSettings

    public init(plan: Plan, pipeline: PipelineDefinition, settings: SlurmSettings) {
        self.plan = plan
        self.pipeline = pipeline
        self.settings = settings
    }

    /// sbatch's view of one job's request, "cluster default" where nothing is asked.
    var resources: String {
        var parts = [
            "cpus=\(settings.cpus.map(String.init) ?? "default")",
            "mem=\(settings.memory ?? "default")",
            "time=\(settings.time ?? "default")",
        ]
        if !settings.extraOptions.isEmpty { parts.append(settings.extraOptions.joined(separator: " ")) }
        return parts.joined(separator: " ")
    }

    /// The longest chain of stages to run, by estimated duration, and its total.
    var criticalPath: (stages: [String], seconds: Double) {
        let estimates = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.stage, $0.estimate ?? 0) })
        var finish: [String: Double] = [:]
        var previous: [String: String] = [:]
        for step in plan.steps {  // execution order: dependencies first
            let deps = pipeline.stage(step.stage)?.dependencies.filter { finish[$0] != nil } ?? []
            let before = deps.max { finish[$0]! < finish[$1]! }
            finish[step.stage] = (before.map { finish[$0]! } ?? 0) + estimates[step.stage]!
            previous[step.stage] = before
        }
        guard var last = finish.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key else { return ([], 0) }
        let total = finish[last]!
        var chain = [last]
        while let before = previous[last] {
            chain.append(before)
            last = before
        }
        return (chain.reversed(), total)
    }

    public var text: String {
        guard !plan.steps.isEmpty else { return plan.text }
        var lines = ["Slurm plan: \(plan.steps.count) job(s), each submitted when its dependencies are done; per job: \(resources)"]
        for step in plan.steps {
            lines.append("  \(step.stage) [\(step.estimate.map { "~" + Duration.text($0) } ?? "never timed")]")
        }
        let path = criticalPath
        let untimed = plan.steps.filter { $0.estimate == nil }.count
        lines.append("critical path (every ready stage on its own node): ~\(Duration.text(path.seconds)) through \(path.stages.joined(separator: " -> "))"
                     + (untimed > 0 ? " (\(untimed) stage(s) never timed count as 0)" : ""))
        lines.append(plan.text.split(separator: "\n").last.map(String.init) ?? "")
        return lines.joined(separator: "\n")
    }
}

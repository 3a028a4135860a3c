/// `repro all --executor slurm --dry-run`: what each job would ask Slurm for, and the
/// wall time of the critical path if every stage got a node the moment it is ready
/// (from the last runs' durations, else the kinds' estimates; stages with neither count
/// as zero and are counted).
public struct ClusterPlan {
    let plan: Plan
    let pipeline: PipelineDefinition
    let settings: SlurmSettings

    /// Each step's request, worked out once (a training's derives from its models' geometry).
    private let requests: [String: ResourceRequest]

    public init(plan: Plan, pipeline: PipelineDefinition, settings: SlurmSettings) {
        self.plan = plan
        self.pipeline = pipeline
        self.settings = settings
        requests = Dictionary(
            uniqueKeysWithValues: plan.steps.map {
                ($0.stage, pipeline.resources(for: $0.stage).overlaid(by: settings.overrides))
            })
    }

    /// What `stage`'s jobs ask for: pipeline.yaml's request under the command line's.
    func request(_ stage: String) -> ResourceRequest {
        requests[stage] ?? pipeline.resources(for: stage).overlaid(by: settings.overrides)
    }

    /// A step's duration: its last run's, else its kind's estimate, else 0.
    func duration(_ step: Plan.Step) -> Double? {
        step.estimate ?? request(step.stage).estimatedSeconds
    }

    /// The longest chain of stages to run, by estimated duration, and its total.
    var criticalPath: (stages: [String], seconds: Double) {
        let estimates = Dictionary(uniqueKeysWithValues: plan.steps.map { ($0.stage, duration($0) ?? 0) })
        var finish: [String: Double] = [:]
        var previous: [String: String] = [:]
        for step in plan.steps {  // execution order: dependencies first
            let deps = pipeline.stage(step.stage)?.dependencies.filter { finish[$0] != nil } ?? []
            let before = deps.max { finish[$0]! < finish[$1]! }
            finish[step.stage] = (before.map { finish[$0]! } ?? 0) + estimates[step.stage]!
            previous[step.stage] = before
        }
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

    public var text: String {
        guard !plan.steps.isEmpty else { return plan.text }
        var lines = ["Slurm plan: \(plan.steps.count) job(s), each submitted when its dependencies are done"]
        for step in plan.steps {
            let time =
                step.estimate.map { "~" + Duration.text($0) + " last run" }
                ?? request(step.stage).estimatedSeconds.map { "~" + Duration.text($0) + " estimated" } ?? "never timed"
            lines.append("  \(step.stage) [\(time)] \(request(step.stage).text)")
        }
        let path = criticalPath
        let untimed = plan.steps.filter { duration($0) == nil }.count
        lines.append(
            "critical path (every ready stage on its own node): ~\(Duration.text(path.seconds)) through "
                + "\(path.stages.joined(separator: " -> "))"
                + (untimed > 0 ? " (\(untimed) stage(s) never timed count as 0)" : ""))
        lines.append(plan.text.split(separator: "\n").last.map(String.init) ?? "")
        return lines.joined(separator: "\n")
    }
}

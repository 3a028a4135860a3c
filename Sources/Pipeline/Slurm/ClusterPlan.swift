/// `repro all --executor slurm --dry-run`: what each job would ask Slurm for, and the
/// wall time of the critical path (from the last runs' durations, else the kinds'
/// estimates; stages with neither count as zero and are counted). Without a cluster
/// shape every stage gets a node the moment it is ready; with one (`--cluster-nodes`,
/// a profile's `cluster:`) the stages share its N nodes, and each training stage gets
/// the nodes `NodeChoice` picks, whole nodes' cores and the time limit its estimate there
/// calls for.
public struct ClusterPlan: Sendable {
    let plan: Plan
    let pipeline: PipelineDefinition
    let settings: SlurmSettings
    /// The profile's `cluster:` under the command line's; nil when it names no node count.
    let shape: ClusterShape?

    /// Each step's request, worked out once (a training's derives from its models' geometry).
    private let requests: [String: ResourceRequest]
    /// The schedule on the cluster's nodes, when there is a shape.
    private let choice: NodeChoice?

    public init(plan: Plan, pipeline: PipelineDefinition, settings: SlurmSettings) {
        self.plan = plan
        self.pipeline = pipeline
        self.settings = settings
        let merged = pipeline.cluster.shape.overlaid(by: settings.shape)
        shape = merged.isSet ? merged : nil
        var requests = Dictionary(
            uniqueKeysWithValues: plan.steps.map {
                ($0.stage, pipeline.resources(for: $0.stage).overlaid(by: settings.overrides))
            })
        guard let shape else {
            (self.requests, choice) = (requests, nil)
            return
        }
        let cores = shape.cores ?? ClusterShape.defaultCores
        let fixed = Dictionary(
            uniqueKeysWithValues: plan.steps.map {
                ($0.stage, pipeline.ruleResources(for: $0.stage).overlaid(by: settings.overrides))
            })
        let stages = plan.steps.map { step in
            let request = requests[step.stage]!
            return NodeChoice.Stage(
                name: step.stage, dependencies: pipeline.stage(step.stage)?.dependencies ?? [], lastRun: step.estimate,
                work: request.work, estimate: request.estimatedSeconds, fixedNodes: fixed[step.stage]!.nodes,
                threads: request.work == nil ? request.cpus ?? 1 : fixed[step.stage]!.cpus ?? cores)
        }
        let choice = NodeChoice(stages, capacity: shape.nodes!, gigabits: shape.network ?? ClusterShape.defaultNetwork)
        for stage in stages where stage.work != nil {
            let nodes = choice.nodes[stage.name]!
            let seconds = NodeChoice.seconds(stage, nodes: nodes, gigabits: choice.gigabits)
            let planned = ResourceRequest(
                cpus: stage.threads, time: ResourceRequest.limit(estimate: seconds), nodes: nodes, tasks: nodes,
                estimatedSeconds: seconds)
            requests[stage.name] = requests[stage.name]!.overlaid(by: planned).overlaid(by: fixed[stage.name]!)
        }
        (self.requests, self.choice) = (requests, choice)
    }

    /// What `stage`'s jobs ask for: pipeline.yaml's request under the command line's, and
    /// with a cluster shape the plan's nodes, tasks, CPUs and time under those.
    public func request(_ stage: String) -> ResourceRequest {
        requests[stage] ?? pipeline.resources(for: stage).overlaid(by: settings.overrides)
    }

    /// A step's duration: its last run's, else its kind's estimate, else 0.
    func duration(_ step: Plan.Step) -> Double? {
        step.estimate ?? request(step.stage).estimatedSeconds
    }

    /// The longest chain of stages to run, by estimated duration, and its total.
    var criticalPath: (stages: [String], seconds: Double) {
        if let choice { return choice.schedule.criticalPath }
        return ClusterSchedule(
            plan.steps.map {
                ClusterSchedule.Task(
                    stage: $0.stage, seconds: duration($0) ?? 0, nodes: 1,
                    dependencies: pipeline.stage($0.stage)?.dependencies ?? [])
            }, capacity: nil
        ).criticalPath
    }

    /// `[~27h estimated on 8 nodes, 9 % communicating; calibrated: amd-epyc-avx2]`.
    func timing(_ step: Plan.Step) -> String {
        if let last = step.estimate { return "~" + Duration.text(last) + " last run" }
        let request = request(step.stage)
        guard let seconds = request.estimatedSeconds else { return "never timed" }
        var text = "~" + Duration.text(seconds) + " estimated"
        if let choice, let work = request.work, let nodes = request.nodes, nodes > 1 {
            let talk = work.communicationSeconds(nodes: min(nodes, work.parts), gigabits: choice.gigabits)
            text += String(format: " on %d nodes, %.0f %% communicating", nodes, 100 * talk / seconds)
        }
        return text + (request.work.map { "; " + $0.source } ?? "")
    }

    public var text: String {
        guard !plan.steps.isEmpty else { return plan.text }
        var lines = ["Slurm plan: \(plan.steps.count) job(s), each submitted when its dependencies are done"]
        for step in plan.steps {
            lines.append("  \(step.stage) [\(timing(step))] \(request(step.stage).text)")
        }
        let path = criticalPath
        let untimed = plan.steps.filter { duration($0) == nil }.count
        let cluster = shape.map {
            String(
                format: "%d nodes of %d cores, %g Gb/s", $0.nodes!, $0.cores ?? ClusterShape.defaultCores,
                $0.network ?? ClusterShape.defaultNetwork)
        }
        let shared = cluster ?? "every ready stage on its own node"
        let chain = path.stages.joined(separator: " -> ")
        lines.append(
            "critical path (\(shared)): ~\(Duration.text(path.seconds)) through \(chain)"
                + (untimed > 0 ? " (\(untimed) stage(s) never timed count as 0)" : ""))
        lines.append(plan.text.split(separator: "\n").last.map(String.init) ?? "")
        return lines.joined(separator: "\n")
    }
}

/// Which stages a command considers, and `--dry-run`'s view of what would run.
public struct Plan: Sendable {
    public struct Step: Sendable {
        public let stage: String
        public let reasons: [StaleReason]
        /// The last run's duration, if there was one.
        public let estimate: Double?
    }

    /// Stages that would run (or may run, after a stale dependency), in execution order.
    public let steps: [Step]
    public let upToDate: [String]

    /// `repro all`: every stage. `repro stage NAME…`: the named stages and their
    /// upstream; with `downstream`, also everything that depends on them (and its
    /// upstream, which must be current for it to run). Unknown names are exit-2 errors.
    public static func selection(
        _ pipeline: PipelineDefinition, targets: [String]?, downstream: Bool = false
    ) throws -> [String] {
        guard let targets = try targets.map(pipeline.expand) else { return pipeline.stages.map(\.name) }
        let roots = downstream ? pipeline.downstreamClosure(targets) : targets
        return pipeline.upstreamClosure(roots)
    }

    /// The dry-run plan for `selection`, from the lock as it is now.
    public static func make(
        pipeline: PipelineDefinition, artifacts: Artifacts, selection: [String], forced: Set<String>
    ) throws -> Plan {
        let status = try StatusReport.compute(pipeline: pipeline, artifacts: artifacts, forced: forced)
        let times = Timings(artifacts: artifacts).read()
        let selected = Set(selection)
        let considered = status.stages.filter { selected.contains($0.name) }
        return Plan(
            steps: considered.filter { $0.state != .upToDate }.map {
                Step(
                    stage: $0.name, reasons: $0.reasons,
                    estimate: times[Timings.key(profile: pipeline.profile, stage: $0.name)])
            },
            upToDate: considered.filter { $0.state == .upToDate }.map(\.name))
    }

    public var text: String {
        if steps.isEmpty { return "nothing to do: \(upToDate.count) stage\(upToDate.count == 1 ? "" : "s") up to date" }
        var lines = ["plan, in execution order:"]
        for (n, step) in steps.enumerated() {
            let estimate = step.estimate.map { "~" + Duration.text($0) } ?? "no earlier run"
            lines.append("\(n + 1). \(step.stage) [\(estimate)]")
            lines += step.reasons.map { "     - \($0)" }
        }
        let known = steps.compactMap(\.estimate)
        var total = "estimated time: " + Duration.text(known.reduce(0, +)) + " one after another"
        if known.count < steps.count {
            total += " (\(steps.count - known.count) stage\(steps.count - known.count == 1 ? "" : "s") never timed)"
        }
        lines.append(total + "; \(upToDate.count) up to date")
        return lines.joined(separator: "\n")
    }
}

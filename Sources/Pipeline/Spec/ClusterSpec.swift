import Foundation
import Yams

/// What pipeline.yaml and the chosen profile say about running on a cluster: the executor
/// (`executor: slurm` in a profile makes `--executor slurm` its default) and the
/// resource rules. Lowest precedence first: the kind's own estimate (`StageKind.resources`),
/// the file's `resources:`, then each profile's of the chain (base first), then the
/// command line's `--slurm-*`. Within one `resources:` mapping, `kind:NAME` entries apply
/// before stage entries (a name, a seed group or a glob), which apply in file order.
///
/// ```yaml
/// resources:
///   kind:train: {cpus: 8}
///   teacher: {mem: 12G, time: 2-00:00:00, options: [--partition=long]}
/// profiles:
///   cluster: {extends: paper, executor: slurm, resources: {"*_eval": {cpus: 2}}}
/// ```
public struct ClusterSpec: Sendable {
    /// One entry of a `resources:` mapping.
    public struct Rule: Sendable {
        public enum Selector: Sendable, Equatable {
            /// `kind:train`: every stage of a kind.
            case kind(String)
            /// A stage name, a seed group (`baseline`) or a glob (`*_kd`).
            case stages(String)
        }

        public let selector: Selector
        public let request: ResourceRequest
        public let location: SourceLocation
    }

    /// `local` or `slurm`, from the profile chain; nil when no profile says.
    public var executor: String?
    /// Every rule that applies, in order of application.
    public var rules: [Rule]
    /// The cluster the profile chain declares (`cluster:`), base first.
    public var shape: ClusterShape

    public init(executor: String? = nil, rules: [Rule] = [], shape: ClusterShape = ClusterShape()) {
        self.executor = executor
        self.rules = rules
        self.shape = shape
    }

    public static let executors = ["local", "slurm"]

    /// The request of `stage`: its kind's estimate overlaid by every matching rule.
    func request(
        for stage: ResolvedStage, groups: [String: [String]], lookup: (String) -> ResolvedParameters?
    ) -> ResourceRequest {
        stage.kind.resources(stage.parameters, lookup: lookup).overlaid(by: ruleRequest(for: stage, groups: groups))
    }

    /// Every matching rule's fields, without the kind's estimate underneath.
    func ruleRequest(for stage: ResolvedStage, groups: [String: [String]]) -> ResourceRequest {
        rules.reduce(ResourceRequest()) { request, rule in
            Self.matches(rule.selector, stage, groups: groups) ? request.overlaid(by: rule.request) : request
        }
    }

    static func matches(_ selector: Rule.Selector, _ stage: ResolvedStage, groups: [String: [String]]) -> Bool {
        switch selector {
        case .kind(let name): return stage.kind.name == name
        case .stages(let pattern):
            return stage.name == pattern || groups[pattern]?.contains(stage.name) == true
                || (Glob.isPattern(pattern) && Glob.matches(pattern, stage.name))
        }
    }

    /// Every rule names a known kind or matches some stage; reported at its line.
    func check(stages: [ResolvedStage], groups: [String: [String]], kinds: [String]) throws {
        for rule in rules {
            switch rule.selector {
            case .kind(let name) where !kinds.contains(name):
                throw PipelineError.spec(
                    rule.location,
                    "unknown kind '\(name)' in resources\(NearestName.hint(name, among: kinds)) (known kinds: "
                        + "\(kinds.joined(separator: ", ")))"
                )
            case .stages(let pattern)
            where !stages.contains(where: { Self.matches(rule.selector, $0, groups: groups) }):
                throw PipelineError.spec(
                    rule.location,
                    "'\(pattern)' in resources matches no "
                        + "stage\(NearestName.hint(pattern, among: stages.map(\.name) + groups.keys.sorted())); write "
                        + "a stage name, a seed group, a glob or kind:NAME"
                )
            default:
                continue
            }
        }
    }
}

extension PipelineFile.Reader {
    /// A `resources:` mapping: selector → {cpus, mem, time, nodes, tasks, options}; kind rules first.
    func resourceRules(_ entry: PipelineFile.Entry) throws -> [ClusterSpec.Rule] {
        let rules = try entries(entry.value, what: "'resources' (selector: {cpus, mem, time, nodes, tasks, options})")
            .map {
                item -> ClusterSpec.Rule in
                let selector: ClusterSpec.Rule.Selector =
                    item.key.hasPrefix("kind:")
                    ? .kind(String(item.key.dropFirst("kind:".count)).trimmingCharacters(in: .whitespaces))
                    : .stages(item.key)
                var request = ResourceRequest()
                for field in try entries(
                    item.value, what: "the resources of '\(item.key)'",
                    allowed: ["cpus", "mem", "time", "nodes", "tasks", "options"])
                {
                    switch field.key {
                    case "cpus": request.cpus = try count(field, what: "a CPU count")
                    case "nodes": request.nodes = try count(field, what: "a node count")
                    case "tasks": request.tasks = try count(field, what: "a task count")
                    case "mem": request.memory = try scalar(field.value, what: "a memory size (4G, 500M)")
                    case "time":
                        request.time = try scalar(field.value, what: "a time limit (minutes, H:M:S or D-H:M:S)")
                    default:
                        if case .sequence(let list) = field.value {
                            request.options = try list.map { try scalar($0, what: "an sbatch option") }
                        } else {
                            request.options = [try scalar(field.value, what: "an sbatch option")]
                        }
                    }
                }
                if let problem = request.problem {
                    throw PipelineError.spec(item.location, "resources of '\(item.key)': \(problem)")
                }
                return ClusterSpec.Rule(selector: selector, request: request, location: item.location)
            }
        return rules.filter { if case .kind = $0.selector { true } else { false } }
            + rules.filter { if case .stages = $0.selector { true } else { false } }
    }

    /// An integer field of `resources:` (cpus, nodes, tasks).
    private func count(_ field: PipelineFile.Entry, what: String) throws -> Int {
        guard let value = Int(try scalar(field.value, what: what)) else {
            throw PipelineError.spec(
                location(field.value.mark), "expected \(what) (an integer), found \(describe(field.value))")
        }
        return value
    }

    /// `executor: local|slurm` of a profile.
    func executor(_ entry: PipelineFile.Entry) throws -> String {
        let name = try scalar(entry.value, what: "an executor (local or slurm)")
        guard ClusterSpec.executors.contains(name) else {
            throw PipelineError.spec(
                location(entry.value.mark),
                "unknown executor '\(name)'\(NearestName.hint(name, among: ClusterSpec.executors)) (expected local "
                    + "or slurm)"
            )
        }
        return name
    }
}

import Foundation

/// A loaded pipeline for one profile: every stage resolved and type-checked, in
/// execution order (dependencies first, otherwise file order).
public struct PipelineDefinition: Sendable {
    /// pipeline.yaml.
    public let file: URL
    /// Its directory: relative paths and `artifacts/` are relative to it.
    public let directory: URL
    public let profile: String
    /// Topological order, ties broken by the order in the file.
    public let stages: [ResolvedStage]
    /// Stages run once per seed: the name as written → its replicas (`NAME@seed=S`).
    public let groups: [String: [String]]
    /// The executor and resource rules of the file and profile (`ClusterSpec`).
    public let cluster: ClusterSpec
    /// The remotes of the file and the profile's choice (`RemoteSpec`).
    public let remotes: RemoteSpec
    private let index: [String: Int]
    private let dependentsByName: [String: [String]]

    /// Reads, checks and resolves `file` for `profile`, with `overrides` given as
    /// `STAGE.KEY=VALUE` (STAGE may be a glob). Errors are `PipelineError.badInput`
    /// naming the file, line and column.
    public static func load(
        file: URL, registry: StageKindRegistry, profile: String = "paper",
        overrides: [String] = [], displayPath: String? = nil
    ) throws -> PipelineDefinition {
        let path = displayPath ?? file.path
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw PipelineError.badInput("cannot read the pipeline file \(path): \(error.localizedDescription)")
        }
        let raw = try PipelineFile(text: text, path: path)
        let resolved = try ParameterResolution(file: raw, registry: registry).resolve(
            profile: profile, overrides: overrides)
        return try PipelineDefinition(
            file: file.standardizedFileURL, profile: profile, stages: resolved.stages,
            groups: resolved.groups, cluster: resolved.cluster, remotes: resolved.remotes, path: path)
    }

    init(
        file: URL, profile: String, stages: [ResolvedStage], groups: [String: [String]] = [:],
        cluster: ClusterSpec = ClusterSpec(), remotes: RemoteSpec = RemoteSpec(), path: String
    ) throws {
        self.file = file
        self.remotes = remotes
        self.groups = groups
        self.cluster = cluster
        self.directory = file.deletingLastPathComponent()
        self.profile = profile
        self.stages = try ExecutionOrder.sort(stages, path: path)
        self.index = Dictionary(uniqueKeysWithValues: self.stages.enumerated().map { ($1.name, $0) })
        var dependents: [String: [String]] = [:]
        for stage in self.stages {
            for dep in stage.dependencies { dependents[dep, default: []].append(stage.name) }
        }
        self.dependentsByName = dependents
    }

    public func stage(_ name: String) -> ResolvedStage? {
        index[name].map { stages[$0] }
    }

    /// What `name` asks a cluster for: its kind's estimate, then the resource rules.
    public func resources(for name: String) -> ResourceRequest {
        guard let stage = stage(name) else { return ResourceRequest() }
        return cluster.request(for: stage, groups: groups) { self.stage($0)?.parameters }
    }

    /// What the resource rules alone ask for `name` (no kind estimate): the fields a
    /// cluster plan must leave as the user set them.
    public func ruleResources(for name: String) -> ResourceRequest {
        guard let stage = stage(name) else { return ResourceRequest() }
        return cluster.ruleRequest(for: stage, groups: groups)
    }

    /// Position in execution order.
    public func position(_ name: String) -> Int? { index[name] }

    /// The stages a user's names stand for, in execution order: a stage, a seed group
    /// (`baseline` → every `baseline@seed=S`) or a glob (`'*_eval'`). Unknown: exit 2.
    public func expand(_ names: [String]) throws -> [String] {
        var selected = Set<String>()
        for name in names {
            if let members = groups[name] {
                selected.formUnion(members)
            } else if stage(name) != nil {
                selected.insert(name)
            } else if Glob.isPattern(name) {
                let matching = stages.map(\.name).filter { Glob.matches(name, $0) }
                guard !matching.isEmpty else {
                    throw PipelineError.badInput("'\(name)' matches no stage in \(file.lastPathComponent)")
                }
                selected.formUnion(matching)
            } else {
                throw unknown(name)
            }
        }
        return selected.sorted { index[$0]! < index[$1]! }
    }

    private func unknown(_ name: String) -> PipelineError {
        .badInput(
            "no stage named '\(name)' in "
                + "\(file.lastPathComponent)\(NearestName.hint(name, among: stages.map(\.name) + groups.keys.sorted()))"
        )
    }

    /// Stages that list `name` in their deps.
    public func dependents(of name: String) -> [String] { dependentsByName[name] ?? [] }

    /// `names` and everything they depend on, transitively, in execution order.
    public func upstreamClosure(_ names: [String]) -> [String] {
        closure(names) { stage($0)?.dependencies ?? [] }
    }

    /// `names` and everything that depends on them, transitively, in execution order.
    public func downstreamClosure(_ names: [String]) -> [String] {
        closure(names) { dependents(of: $0) }
    }

    private func closure(_ names: [String], next: (String) -> [String]) -> [String] {
        var seen = Set<String>()
        var stack = names
        while let name = stack.popLast() {
            guard seen.insert(name).inserted else { continue }
            stack.append(contentsOf: next(name))
        }
        return seen.sorted { index[$0]! < index[$1]! }
    }
}

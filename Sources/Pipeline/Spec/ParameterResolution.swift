import Foundation
import Yams

/// Applies, lowest precedence first: the kind's defaults, the file's `defaults:` for the
/// kind, the stage's own `params:`, the profile chain (`extends` first; within a profile
/// glob patterns such as `*.epochs` before exact stage names), then `--param`; a profile
/// entry or `--param` may name a replica (`baseline@seed=0`), see `OverrideTargets`.
/// Checks kinds, names, types, required parameters and dependencies on the way, and
/// refuses an override that no stage would run with.
struct ParameterResolution {
    let file: PipelineFile
    let registry: StageKindRegistry

    func resolve(
        profile: String, overrides: [String]
    ) throws -> (stages: [ResolvedStage], groups: [String: [String]], cluster: ClusterSpec, remotes: RemoteSpec) {
        var seen = Set<String>()
        for stage in file.stages {
            guard isValidName(stage.name) else {
                throw PipelineError.spec(
                    stage.location,
                    "invalid stage name '\(stage.name)'; use letters, digits, '_' and '-' (templates add '@', '=', "
                        + "',' and '.')"
                )
            }
            guard seen.insert(stage.name).inserted else {
                throw PipelineError.spec(stage.location, "duplicate stage name '\(stage.name)'")
            }
        }
        let kinds = try file.stages.map { stage -> any StageKind in
            guard let kind = registry.kind(named: stage.kind) else {
                throw PipelineError.spec(
                    stage.kindLocation,
                    "unknown kind '\(stage.kind)' for stage "
                        + "'\(stage.name)'\(NearestName.hint(stage.kind, among: registry.names)) (known kinds: "
                        + "\(registry.names.joined(separator: ", ")))"
                )
            }
            return kind
        }
        var (values, locations) = try fileValues(kinds)

        // Profiles, then the command line.
        let chain = try profileChain(profile)
        var targets = OverrideTargets(file: file, kinds: kinds)
        for entry in try overrideEntries(chain, overrides) {
            try targets.apply(entry, values: &values, locations: &locations)
        }

        for (i, stage) in file.stages.enumerated() {
            for parameter in kinds[i].parameters where values[i][parameter.name] == nil {
                throw PipelineError.spec(
                    stage.location,
                    "stage '\(stage.name)' is missing parameter '\(parameter.name)' (\(parameter.type): "
                        + "\(parameter.doc))"
                )
            }
        }
        let references = try StageReferences(file: file, kinds: kinds, values: &values, locations: locations)
        let profileSeeds = chain.last(where: { $0.seeds != nil }).map { (profile: $0.name, seeds: $0.seeds!) }
        let replication = try SeedReplication(
            file: file, kinds: kinds, references: references, profileSeeds: profileSeeds)
        var drafts = try replication.stages(values: values)
        try targets.applyToReplicas(&drafts)
        let stages = try drafts.map { draft in
            let parameters = ResolvedParameters(draft.values)
            if let problem = draft.kind.validate(parameters) {
                throw PipelineError.spec(draft.location, "stage '\(draft.name)': \(problem)")
            }
            return ResolvedStage(
                name: draft.name, kind: draft.kind, parameters: parameters, dependencies: draft.dependencies,
                groups: draft.groups, location: draft.location)
        }
        try targets.check(drafts, replication: replication)
        let cluster = ClusterSpec(
            executor: chain.last(where: { $0.executor != nil })?.executor,
            rules: file.resources + chain.flatMap(\.resources),
            shape: chain.reduce(ClusterShape()) { $0.overlaid(by: $1.shape) })
        try cluster.check(stages: stages, groups: replication.groups, kinds: registry.names)
        return (stages, replication.groups, cluster, try remotes(chain))
    }

    /// Each stage's values from the kind's defaults, the file's `defaults:` and its own
    /// `params:`, and where each was last set, so a bad stage reference points at its line.
    private func fileValues(_ kinds: [any StageKind]) throws -> ([[String: ParamValue]], [[String: SourceLocation]]) {
        var values: [[String: ParamValue]] = kinds.map { kind in
            Dictionary(uniqueKeysWithValues: kind.parameters.compactMap { p in p.defaultValue.map { (p.name, $0) } })
        }
        var locations: [[String: SourceLocation]] = file.stages.map { _ in [:] }

        for group in file.defaults {
            guard let kind = registry.kind(named: group.kind) else {
                throw PipelineError.spec(
                    group.location,
                    "unknown kind '\(group.kind)' in defaults"
                        + NearestName.hint(group.kind, among: registry.names))
            }
            for entry in group.params {
                let value = try typed(
                    entry.value, for: entry.key, of: kind, at: entry.location,
                    context: "defaults of kind \(kind.name)")
                for (i, stage) in file.stages.enumerated() where stage.kind == kind.name {
                    values[i][entry.key] = value
                    locations[i][entry.key] = entry.location
                }
            }
        }
        for (i, stage) in file.stages.enumerated() {
            for entry in stage.params {
                values[i][entry.key] = try typed(
                    entry.value, for: entry.key, of: kinds[i], at: entry.location,
                    context: "stage '\(stage.name)'")
                locations[i][entry.key] = entry.location
            }
        }
        return (values, locations)
    }

    /// The named profile and the ones it extends, base first. `paper` exists even when
    /// the file does not list it: it is the stages' own parameters.
    /// The file's remotes and the profile chain's choice, which must be one of them.
    private func remotes(_ chain: [PipelineFile.Profile]) throws -> RemoteSpec {
        guard let choice = chain.last(where: { $0.remote != nil })?.remote else {
            return RemoteSpec(named: file.remotes)
        }
        guard file.remotes[choice.name] != nil else {
            let known = file.remotes.keys.sorted()
            throw PipelineError.spec(
                choice.location,
                "unknown remote '\(choice.name)'\(NearestName.hint(choice.name, among: known)) (the remote: mapping "
                    + "names: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        return RemoteSpec(named: file.remotes, chosen: choice.name)
    }

    private func profileChain(_ name: String) throws -> [PipelineFile.Profile] {
        var chain: [PipelineFile.Profile] = []
        var current: (name: String, location: SourceLocation?)? = (name, nil)
        while let (name, location) = current {
            guard let profile = file.profiles[name] else {
                if name == "paper" { break }
                let known = Set(file.profiles.keys).union(["paper"]).sorted()
                let message =
                    "unknown profile '\(name)'\(NearestName.hint(name, among: known)) (profiles: "
                    + "\(known.joined(separator: ", ")))"
                throw location.map { PipelineError.spec($0, message) }
                    ?? PipelineError.badInput("\(file.path): \(message)")
            }
            guard !chain.contains(where: { $0.name == name }) else {
                throw PipelineError.spec(
                    profile.location,
                    "profile '\(name)' extends itself: \((chain.map(\.name) + [name]).joined(separator: " → "))")
            }
            chain.append(profile)
            current = profile.extends.map { ($0.name, $0.location) }
        }
        return chain.reversed()
    }

    /// The profile chain's entries, base first (within a profile globs before stage names),
    /// then the `--param`s in their order.
    private func overrideEntries(_ chain: [PipelineFile.Profile], _ commandLine: [String]) throws -> [OverrideEntry] {
        var entries: [OverrideEntry] = []
        for profile in chain {
            let context = "profile '\(profile.name)'"
            let globsFirst =
                profile.overrides.filter { Glob.isPattern($0.pattern) }
                + profile.overrides.filter { !Glob.isPattern($0.pattern) }
            for entry in globsFirst {
                entries.append(
                    OverrideEntry(
                        pattern: entry.pattern, key: entry.key, location: entry.location,
                        origin: context
                    ) { kind in
                        try typed(entry.value, for: entry.key, of: kind, at: entry.location, context: context)
                    })
            }
        }
        for text in commandLine {
            let (pattern, key, valueText) = try splitOverride(text)
            entries.append(
                OverrideEntry(pattern: pattern, key: key, location: nil, origin: "--param \(text)") { kind in
                    guard let declared = kind.parameters.first(where: { $0.name == key }) else {
                        throw unknownParameter(key, of: kind, at: nil, context: "--param \(text)")
                    }
                    switch ParamParsing.value(commandLine: valueText, as: declared.type) {
                    case .success(let value): return value
                    case .failure(let problem): throw PipelineError.badInput("--param \(text): \(problem.message)")
                    }
                })
        }
        return entries
    }

    private func typed(
        _ node: Node, for key: String, of kind: any StageKind, at location: SourceLocation, context: String
    ) throws -> ParamValue {
        guard let declared = kind.parameters.first(where: { $0.name == key }) else {
            throw unknownParameter(key, of: kind, at: location, context: context)
        }
        switch ParamParsing.value(node, as: declared.type) {
        case .success(let value): return value
        case .failure(let problem):
            let message = problem.message
            let valueLocation =
                node.mark.map { SourceLocation(file: file.path, line: $0.line, column: $0.column) } ?? location
            throw PipelineError.spec(valueLocation, "parameter '\(key)' of \(context): \(message)")
        }
    }

    private func unknownParameter(
        _ key: String, of kind: any StageKind, at location: SourceLocation?, context: String
    ) -> PipelineError {
        let names = kind.parameters.map(\.name)
        let message =
            "unknown parameter '\(key)' in \(context) (kind \(kind.name))\(NearestName.hint(key, among: names)); "
            + "expected one of: \(names.joined(separator: ", "))"
        return location.map { PipelineError.spec($0, message) } ?? PipelineError.badInput(message)
    }

    /// `STAGE.KEY=VALUE`. Generated stage names may hold '=' and '.' (`lr@lr=0.05`), keys
    /// never do, so the split is at the first '.' followed by a key and '='.
    private func splitOverride(_ text: String) throws -> (String, String, String) {
        var index = text.startIndex
        while let dot = text[index...].firstIndex(of: ".") {
            let afterDot = text.index(after: dot)
            let keyEnd = text[afterDot...].firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") } ?? text.endIndex
            if dot != text.startIndex, keyEnd != afterDot, keyEnd < text.endIndex, text[keyEnd] == "=" {
                return (
                    String(text[..<dot]), String(text[afterDot..<keyEnd]), String(text[text.index(after: keyEnd)...])
                )
            }
            index = afterDot
        }
        throw PipelineError.badInput(
            "--param \(text): expected STAGE.KEY=VALUE (e.g. teacher.epochs=2 or '*.epochs=2')")
    }

    private func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("-")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-@=,.".contains($0)) }
    }
}

/// Applies profile entries and `--param`s in order, lowest precedence first, to the stages
/// they name: a stage of the file (every replica of it), one replica (`baseline@seed=0`), or
/// a glob (`'*.epochs'`, `'*@seed=1'`), which reaches a stage when it matches the stage's
/// name, and a replica when it matches the replica's name but not its stage's.
///
/// Replicas exist only once the seeds are known, so entries for them wait for the drafts
/// (`applyToReplicas`); an entry for the whole stage that comes later still wins over them.
/// No entry is silently dropped: one that a template sets per stage, that replication would
/// replace (`seed`) or that the kind ignores under the stage's other parameters is refused,
/// saying what to write instead. A glob is refused only when it changes no stage it reaches.
struct OverrideTargets {
    private let file: PipelineFile
    private let kinds: [any StageKind]
    private let names: [String]
    /// Every entry so far, in order, with the stages of the file it set as a whole.
    private var applied: [(entry: OverrideEntry, stages: [Int])] = []
    /// Per stage of the file and key: the position in `applied` of the last entry that set
    /// the key for the whole stage.
    private var lastWrite: [[String: Int]]

    init(file: PipelineFile, kinds: [any StageKind]) {
        self.file = file
        self.kinds = kinds
        names = file.stages.map(\.name)
        lastWrite = file.stages.map { _ in [:] }
    }

    /// Sets the entry's value on the stages of the file it names; a replica's waits.
    mutating func apply(
        _ entry: OverrideEntry, values: inout [[String: ParamValue]],
        locations: inout [[String: SourceLocation]]
    ) throws {
        var stages: [Int] = []
        if entry.isPattern {
            stages = names.indices.filter { Glob.matches(entry.pattern, names[$0]) && declares($0, entry.key) }
        } else if let i = names.firstIndex(of: entry.pattern) {
            stages = [i]
        } else if let i = replicaSource(entry.pattern) {
            _ = try entry.value(kinds[i])  // the kind declares the key, the value fits
            try refuseForReplica(entry, i)
        } else {
            throw entry.error("unknown stage '\(entry.pattern)'\(NearestName.hint(entry.pattern, among: names))")
        }
        for i in stages {
            try refuseTemplated(entry, i)
            values[i][entry.key] = try entry.value(kinds[i])
            if let location = entry.location { locations[i][entry.key] = location }
            lastWrite[i][entry.key] = applied.count
        }
        applied.append((entry, stages))
    }

    /// Sets, in order, the entries that reach replicas, unless a later entry set the key
    /// for the whole stage. A replica that replication did not make is an unknown stage.
    func applyToReplicas(_ drafts: inout [SeedReplication.Draft]) throws {
        for (position, (entry, _)) in applied.enumerated() {
            let reached = drafts.indices.filter { reaches(entry, drafts[$0]) }
            if !entry.isPattern, !names.contains(entry.pattern), reached.isEmpty {
                let known = drafts.map(\.name)
                throw entry.error("unknown stage '\(entry.pattern)'\(NearestName.hint(entry.pattern, among: known))")
            }
            for d in reached where position > lastWrite[drafts[d].source][entry.key] ?? -1 {
                try refuseForReplica(entry, drafts[d].source)
                drafts[d].values[entry.key] = try entry.value(drafts[d].kind)
            }
        }
    }

    /// Refuses an entry that no stage it reaches would run with (see the type's comment).
    func check(_ drafts: [SeedReplication.Draft], replication: SeedReplication) throws {
        for (entry, stages) in applied {
            let whole = drafts.filter { stages.contains($0.source) }
            let reached = whole + drafts.filter { reaches(entry, $0) }
            let reasons = try reached.map { draft in
                try unused(
                    entry, draft, as: stages.contains(draft.source) ? names[draft.source] : draft.name,
                    replication: replication)
            }
            if entry.isPattern {
                guard !reached.isEmpty else { throw entry.error(matchesNothing(entry, drafts)) }
                if let reason = reasons.first ?? nil, reasons.allSatisfy({ $0 != nil }) {
                    throw entry.error("'\(entry.pattern).\(entry.key)' changes no stage it reaches: \(reason)")
                }
            } else if let reason = reasons.compactMap({ $0 }).first {
                throw entry.error(reason)
            }
        }
    }

    /// Why the stage would not run the entry's value, and what to write instead; nil when it does.
    private func unused(
        _ entry: OverrideEntry, _ draft: SeedReplication.Draft, as name: String,
        replication: SeedReplication
    ) throws -> String? {
        if entry.key == "seed",
            let reason = replication.seedOverride(draft.source, name: name, wanted: try entry.value(draft.kind))
        {
            return reason
        }
        guard let declared = draft.kind.parameters.first(where: { $0.name == entry.key }),
            let matters = declared.matters, !matters(ResolvedParameters(draft.values))
        else { return nil }
        return "stage '\(name)' ignores '\(entry.key)' (\(declared.doc)) with its other parameters, so its key "
            + "leaves the value out and the run never reads it; "
            + "drop it, or also set the parameters under which it counts"
    }

    private func matchesNothing(_ entry: OverrideEntry, _ drafts: [SeedReplication.Draft]) -> String {
        let matching = drafts.filter {
            Glob.matches(entry.pattern, $0.name) || Glob.matches(entry.pattern, names[$0.source])
        }
        guard !matching.isEmpty else { return "'\(entry.pattern)' matches no stage" }
        let declared = Set(matching.flatMap { $0.kind.parameters.map(\.name) }).sorted()
        return "no stage matching '\(entry.pattern)' has a parameter '\(entry.key)'"
            + NearestName.hint(entry.key, among: declared)
    }

    /// True when the entry names this replica by itself (not through its stage's name).
    private func reaches(_ entry: OverrideEntry, _ draft: SeedReplication.Draft) -> Bool {
        let stage = names[draft.source]
        guard draft.name != stage else { return false }
        if !entry.isPattern { return entry.pattern == draft.name }
        return Glob.matches(entry.pattern, draft.name) && !Glob.matches(entry.pattern, stage)
            && declares(draft.source, entry.key)
    }

    /// The stage of the file `name` would be a replica of (`baseline@seed=0` → baseline).
    private func replicaSource(_ name: String) -> Int? {
        names.indices.filter { i in
            let prefix = names[i] + "@seed="
            guard name.hasPrefix(prefix) else { return false }
            let seed = name.dropFirst(prefix.count)
            return Int(seed).map(String.init) == String(seed)
        }.max { names[$0].count < names[$1].count }
    }

    private func declares(_ i: Int, _ key: String) -> Bool {
        kinds[i].parameters.contains { $0.name == key }
    }

    /// A template sets this key per stage, and the stage's name states it.
    private func refuseTemplated(_ entry: OverrideEntry, _ i: Int) throws {
        guard let template = file.stages[i].template, template.perStage.contains(entry.key) else { return }
        let reached =
            entry.isPattern
            ? "'\(entry.pattern).\(entry.key)' reaches stage '\(names[i])', whose" : "stage '\(names[i])':"
        throw entry.error(
            "\(reached) '\(entry.key)' is set per stage by template '\(template.name)' "
                + "(\(template.location)) "
                + "and its name says which; change the template there, or "
                + (entry.isPattern ? "name the other stages one by one" : "add a stage of your own"))
    }

    /// One replica's parameters differ from its stage's only where no dependency hangs on them.
    private func refuseForReplica(_ entry: OverrideEntry, _ i: Int) throws {
        try refuseTemplated(entry, i)
        guard let declared = kinds[i].parameters.first(where: { $0.name == entry.key }),
            declared.type == .stage || declared.type == .list(.stage)
        else { return }
        throw entry.error(
            "'\(entry.key)' names stages, and every replica of '\(names[i])' reads those of its "
                + "own seed; set it on '\(names[i])' instead")
    }
}

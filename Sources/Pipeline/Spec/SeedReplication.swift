/// Seeds as data: a profile's `seeds: [0, 1, 2]` (or a stage's own `seeds:`) runs every
/// stage whose kind has a `seed` parameter once per seed, as `NAME@seed=S`. A stage that
/// names such a stage in a single-stage parameter (`run: baseline`) follows it, seed by
/// seed (`baseline_eval@seed=1` evaluates `baseline@seed=1`); a stage that names it in a
/// list (`rows: [baseline_eval]`) or in `deps:` reads the whole group and aggregates.
/// `NAME` stays the group's name: `repro stage baseline` runs every seed.
/// One seed is no replication: the stage keeps its name and runs that seed.
struct SeedReplication {
    /// One concrete stage, ready to be checked by its kind.
    struct Draft {
        let name: String
        /// The stage of the file it runs (its index there).
        let source: Int
        let kind: any StageKind
        var values: [String: ParamValue]
        let dependencies: [String]
        /// The groups among its references, with their members.
        let groups: [String: [String]]
        let location: SourceLocation
    }

    /// Each replicated stage's name → its replicas' names, in seed order.
    let groups: [String: [String]]
    private let file: PipelineFile
    private let kinds: [any StageKind]
    private let references: StageReferences
    /// Per stage of the file: the seeds it runs as replicas (two or more), or nil.
    private let replicaSeeds: [[Int]?]
    /// Per stage of the file: the one seed it runs without replication, if set.
    private let singleSeed: [Int?]
    /// Per stage of the file: where its seeds come from, if it has any.
    private let origins: [Origin?]

    /// Where a stage's seeds are written: on the stage, in the profile, or on a stage it follows.
    enum Origin {
        case own(PipelineFile.Seeds)
        case profile(String, PipelineFile.Seeds)
        case follows(String)
    }

    static func name(_ stage: String, seed: Int) -> String { "\(stage)@seed=\(seed)" }

    /// `profileSeeds`: the profile that sets `seeds:` (the last of its chain that does) and its list.
    init(
        file: PipelineFile, kinds: [any StageKind], references: StageReferences,
        profileSeeds: (profile: String, seeds: PipelineFile.Seeds)?
    ) throws {
        self.file = file
        self.kinds = kinds
        self.references = references
        let index = Dictionary(uniqueKeysWithValues: file.stages.enumerated().map { ($1.name, $0) })
        var own: [[Int]?] = []
        var origins: [Origin?] = []
        for (i, stage) in file.stages.enumerated() {
            let seeded = kinds[i].parameters.contains { $0.name == "seed" }
            if let seeds = stage.seeds {
                guard seeded else {
                    throw PipelineError.spec(
                        seeds.location,
                        "stage '\(stage.name)' sets seeds, but kind \(kinds[i].name) has no 'seed' parameter")
                }
                own.append(seeds.values)
                origins.append(.own(seeds))
            } else {
                own.append(seeded ? profileSeeds?.seeds.values : nil)
                origins.append(seeded ? profileSeeds.map { Origin.profile($0.profile, $0.seeds) } : nil)
            }
        }
        singleSeed = own.map { $0?.count == 1 ? $0![0] : nil }
        var seeds: [[Int]?] = own.map { ($0?.count ?? 0) >= 2 ? $0 : nil }
        // A stage without seeds of its own follows the replicated stages it names in
        // single-stage parameters; repeated until nothing changes (chains of followers).
        for _ in 0...file.stages.count {
            var changed = false
            for i in file.stages.indices where own[i] == nil {
                let followed = references.references[i].filter(\.isScalar).compactMap { ref in
                    seeds[index[ref.target]!].map { (ref.target, $0) }
                }
                guard let first = followed.first else { continue }
                if let other = followed.first(where: { $0.1 != first.1 }) {
                    throw PipelineError.spec(
                        file.stages[i].location,
                        "stage '\(file.stages[i].name)' names '\(first.0)' (seeds \(first.1)) and '\(other.0)' "
                            + "(seeds \(other.1)); give them the same seeds"
                    )
                }
                if seeds[i] != first.1 {
                    seeds[i] = first.1
                    origins[i] = .follows(first.0)
                    changed = true
                }
            }
            if !changed { break }
        }
        replicaSeeds = seeds
        self.origins = origins
        var groups: [String: [String]] = [:]
        for (i, stage) in file.stages.enumerated() {
            if let list = seeds[i] { groups[stage.name] = list.map { SeedReplication.name(stage.name, seed: $0) } }
        }
        self.groups = groups
        try refuseSeedParameters()
    }

    /// A stage's own `seed:` (in `params:` or as a matrix axis) that its seeds would replace.
    private func refuseSeedParameters() throws {
        for (i, stage) in file.stages.enumerated() {
            guard let written = stage.params.first(where: { $0.key == "seed" }), let origin = seedOrigin(i) else {
                continue
            }
            var what = "stage '\(stage.name)' sets 'seed' in its params"
            var values = [written.value]
            if let template = stage.template, template.perStage.contains("seed") {
                what = "'seed' is a matrix axis of template '\(template.name)'"
                values = file.stages.filter { $0.template?.name == template.name }
                    .compactMap { cell in cell.params.first { $0.key == "seed" }?.value }
            }
            let list = "seeds: [\(values.map { $0.scalar?.string ?? "?" }.joined(separator: ", "))]"
            let instead: String
            if case .follows(let leader) = origin {
                instead = "drop it: the seeds of '\(leader)' decide"
            } else {
                instead =
                    stage.template == nil
                    ? "write \(list) on the stage instead (a stage's seeds replace the profile's)"
                    : "replace the axis by \(list) on the template (a stage's seeds replace the profile's)"
            }
            throw PipelineError.spec(
                written.location,
                "\(what), but \(describe(origin)) set the seed of each run; \(instead)")
        }
    }

    /// Where stage `i`'s seed comes from when replication sets it; nil when its `seed` parameter runs.
    private func seedOrigin(_ i: Int) -> Origin? {
        guard kinds[i].parameters.contains(where: { $0.name == "seed" }), replicaSeeds[i] != nil || singleSeed[i] != nil
        else { return nil }
        return origins[i]
    }

    private func describe(_ origin: Origin) -> String {
        switch origin {
        case .own(let seeds): return "its own seeds: \(seeds.values) (\(seeds.location))"
        case .profile(let profile, let seeds):
            return "the seeds: \(seeds.values) of profile '\(profile)' (\(seeds.location))"
        case .follows(let leader): return "the seeds of '\(leader)', which it follows"
        }
    }

    /// Why `name` (stage `i` of the file or a replica of it) would not run `wanted` as its
    /// seed, and what to write instead; nil when replication leaves its seed alone.
    func seedOverride(_ i: Int, name: String, wanted: ParamValue) -> String? {
        guard let origin = seedOrigin(i) else { return nil }
        let stage = file.stages[i].name
        let runs = groups[stage].map { ", which run it as \($0.joined(separator: ", "))" } ?? ""
        let set = "the seed of '\(name)' is set by \(describe(origin))\(runs); to run seed \(wanted), "
        switch origin {
        case .own: return set + "change that list"
        case .profile:
            return set + "change that list or give stage '\(stage)' its own seeds: [\(wanted)] in \(file.path)"
        case .follows(let leader): return set + "change the seeds of '\(leader)'"
        }
    }

    /// Every concrete stage, in file order, replicas in seed order.
    func stages(values: [[String: ParamValue]]) throws -> [Draft] {
        var drafts: [Draft] = []
        for (i, stage) in file.stages.enumerated() {
            let runs: [(name: String, seed: Int?)] =
                replicaSeeds[i].map { list in
                    list.map { (SeedReplication.name(stage.name, seed: $0), $0) }
                } ?? [(stage.name, singleSeed[i])]
            for run in runs {
                drafts.append(try draft(i, name: run.name, seed: run.seed, values: values[i]))
            }
        }
        return drafts
    }

    private func draft(_ i: Int, name: String, seed: Int?, values original: [String: ParamValue]) throws -> Draft {
        let stage = file.stages[i]
        var values = original
        if let seed, kinds[i].parameters.contains(where: { $0.name == "seed" }) { values["seed"] = .int(seed) }
        var dependencies: [String] = []
        var groups: [String: [String]] = [:]
        func add(_ names: [String]) {
            for name in names where !dependencies.contains(name) { dependencies.append(name) }
        }
        for reference in references.references[i] {
            guard let members = self.groups[reference.target] else {
                add([reference.target])
                continue
            }
            if reference.isScalar, let parameter = reference.parameter {
                guard let seed,
                    let replica = members.first(where: { $0 == SeedReplication.name(reference.target, seed: seed) })
                else {
                    throw PipelineError.spec(
                        stage.location,
                        "stage '\(stage.name)' names '\(reference.target)', which runs once per seed "
                            + "(\(members.joined(separator: ", "))); give '\(stage.name)' seeds it has"
                    )
                }
                values[parameter] = .string(replica)
                add([replica])
            } else {
                groups[reference.target] = members
                add(members)
            }
        }
        return Draft(
            name: name, source: i, kind: kinds[i], values: values, dependencies: dependencies, groups: groups,
            location: stage.location)
    }
}

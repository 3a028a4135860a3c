import Foundation
import Yams

/// pipeline.yaml as written, before kinds and profiles are applied: every name and value
/// keeps its place in the file for error messages.
///
/// ```yaml
/// defaults:                 # per kind, below each stage's own params
///   train: {epochs: 200}
/// stages:
///   teacher:
///     kind: train
///     deps: [cifar100]
///     params: {model: resnext29_16x64d}
/// profiles:
///   smoke:
///     extends: mini         # optional
///     "*.epochs": 2         # STAGE.KEY, STAGE may be a glob
///     seeds: [0, 1]         # every stage whose kind has a `seed`, once per seed
///     executor: slurm       # and resources: (see `ClusterSpec`)
///     remote: origin        # the remote push and pull use (`RemoteSpec`)
/// resources:                # cluster requests, never part of a key (`ClusterSpec`)
///   kind:train: {cpus: 8}
/// remote:                   # name → URL, never credentials (`RemoteSpec`)
///   origin: https://cache.example.org/repro
/// ```
/// YAML anchors and merge keys (`<<: *train`) work in every mapping. A stage may also be
/// a template (`matrix:` or `foreach:`, see `StageTemplate`) and set its own `seeds:`.
struct PipelineFile {
    struct Entry {
        let key: String
        let value: Node
        let location: SourceLocation
    }

    struct Stage {
        let name: String
        let location: SourceLocation
        let kind: String
        let kindLocation: SourceLocation
        let deps: [(name: String, location: SourceLocation)]
        let params: [Entry]
        /// The stage's own seed list (overrides the profile's); nil: the profile decides.
        var seeds: Seeds? = nil
        /// The template that made it; nil for a stage written out.
        var template: TemplateOrigin? = nil
    }

    /// A template (`matrix:`, `foreach:`) and the parameters it sets per stage: its axes
    /// and the values with `${…}` in them, which the stage's name states.
    struct TemplateOrigin {
        let name: String
        let location: SourceLocation
        let perStage: Set<String>
    }

    /// A seed list and where it was written.
    struct Seeds {
        let values: [Int]
        let location: SourceLocation
    }

    struct Override {
        let pattern: String
        let key: String
        let value: Node
        let location: SourceLocation
    }

    struct Profile {
        let name: String
        let location: SourceLocation
        let extends: (name: String, location: SourceLocation)?
        let overrides: [Override]
        let seeds: Seeds?
        /// `executor: slurm` and `resources:` (see `ClusterSpec`).
        var executor: String? = nil
        var resources: [ClusterSpec.Rule] = []
        /// `cluster: {nodes, cores, network, calibration}` (see `ClusterShape`).
        var shape = ClusterShape()
        /// `remote: NAME` (see `RemoteSpec`).
        var remote: (name: String, location: SourceLocation)? = nil
    }

    let path: String
    let stages: [Stage]
    let defaults: [(kind: String, location: SourceLocation, params: [Entry])]
    let profiles: [String: Profile]
    /// The file's own `resources:` (see `ClusterSpec`).
    let resources: [ClusterSpec.Rule]
    /// The file's `remote:` mapping (see `RemoteSpec`).
    let remotes: [String: RemoteURL]

    init(text: String, path: String) throws {
        self.path = path
        let reader = Reader(path: path, text: text)
        let root = try reader.compose()
        let top = try reader.entries(
            root, what: "the pipeline file", allowed: ["stages", "defaults", "profiles", "resources", "remote"])
        guard let stagesEntry = top.first(where: { $0.key == "stages" }) else {
            throw PipelineError.spec(reader.location(root.mark), "expected a 'stages:' mapping at the top level")
        }
        stages = try StageTemplate.expand(try reader.entries(stagesEntry.value, what: "'stages'"), reader: reader)
        defaults =
            try top.first(where: { $0.key == "defaults" }).map { entry in
                try reader.entries(entry.value, what: "'defaults' (a mapping of kind names to parameters)").map {
                    (
                        kind: $0.key, location: $0.location,
                        params: try reader.entries($0.value, what: "the defaults of kind \($0.key)")
                    )
                }
            } ?? []
        var profiles: [String: Profile] = [:]
        for entry in try top.first(where: { $0.key == "profiles" }).map({
            try reader.entries($0.value, what: "'profiles'")
        }) ?? [] {
            profiles[entry.key] = try reader.profile(entry)
        }
        self.profiles = profiles
        resources = try top.first(where: { $0.key == "resources" }).map(reader.resourceRules) ?? []
        remotes = try top.first(where: { $0.key == "remote" }).map(reader.remotes) ?? [:]
    }

    /// Node walking with located errors.
    struct Reader {
        let path: String
        let text: String

        func location(_ mark: Mark?) -> SourceLocation {
            SourceLocation(file: path, line: mark?.line ?? 1, column: mark?.column ?? 1)
        }

        func compose() throws -> Node {
            let node: Node?
            do {
                node = try Yams.compose(yaml: text)
            } catch let error as YamlError {
                throw translate(error)
            }
            guard let node else {
                throw PipelineError.spec(location(nil), "the file is empty; expected a mapping with 'stages:'")
            }
            return node
        }

        private func translate(_ error: YamlError) -> PipelineError {
            switch error {
            case .scanner(let context, let problem, let mark, _),
                .parser(let context, let problem, let mark, _),
                .composer(let context, let problem, let mark, _):
                let detail = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
                return .spec(location(mark), "YAML syntax error: \(problem)\(detail)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                let name = duplicates.first ?? "?"
                let second = secondOccurrence(of: name, after: context.mark)
                return .spec(
                    second ?? location(context.mark),
                    "duplicate name '\(name)' (first defined at line \(context.mark.line))")
            default:
                return .spec(location(nil), "cannot read YAML: \(error)")
            }
        }

        /// Yams reports a duplicate key at its first occurrence; the user wants the second.
        private func secondOccurrence(of key: String, after first: Mark) -> SourceLocation? {
            let lines = text.components(separatedBy: "\n")
            guard first.line - 1 < lines.count else { return nil }
            let indent = first.column - 1
            for index in first.line..<lines.count {
                let line = lines[index]
                let trimmed = line.drop(while: { $0 == " " })
                guard line.count - trimmed.count == indent else { continue }
                for spelling in [key, "\"\(key)\"", "'\(key)'"] where trimmed.hasPrefix(spelling + ":") {
                    return SourceLocation(file: path, line: index + 1, column: first.column)
                }
            }
            return nil
        }

        /// The pairs of a mapping with merge keys (`<<: *anchor`) expanded; explicit keys
        /// win over merged ones. Keys must be plain strings; `allowed` limits them.
        func entries(_ node: Node, what: String, allowed: [String]? = nil) throws -> [Entry] {
            guard case .mapping(let mapping) = node else {
                if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return [] }
                throw PipelineError.spec(location(node.mark), "expected a mapping for \(what), found \(describe(node))")
            }
            var explicit: [Entry] = []
            var merged: [Entry] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw PipelineError.spec(
                        location(key.mark), "expected a name as key in \(what), found \(describe(key))")
                }
                if keyScalar.string == "<<" {
                    let sources: [Node]
                    if case .sequence(let list) = value { sources = Array(list) } else { sources = [value] }
                    for source in sources {
                        for entry in try entries(source, what: "a merged mapping")
                        where !merged.contains(where: { $0.key == entry.key }) {
                            merged.append(entry)
                        }
                    }
                    continue
                }
                if let allowed, !allowed.contains(keyScalar.string) {
                    throw PipelineError.spec(
                        location(key.mark),
                        "unknown key '\(keyScalar.string)' in "
                            + "\(what)\(NearestName.hint(keyScalar.string, among: allowed)) (expected one of: "
                            + "\(allowed.joined(separator: ", ")))"
                    )
                }
                explicit.append(Entry(key: keyScalar.string, value: value, location: location(key.mark)))
            }
            return merged.filter { m in !explicit.contains { $0.key == m.key } } + explicit
        }

        func scalar(_ node: Node, what: String) throws -> String {
            guard case .scalar(let s) = node, !s.string.isEmpty else {
                throw PipelineError.spec(location(node.mark), "expected \(what), found \(describe(node))")
            }
            return s.string
        }

        /// The fields a stage may have; a template adds `matrix`/`foreach` and `name`.
        static let stageFields = ["kind", "deps", "params", "seeds", "matrix", "foreach", "name"]

        /// One concrete stage from its fields (a template's, after substitution).
        /// `params`, when given, replace the fields' own (a matrix adds its axes).
        func stage(_ entry: Entry, fields: [Entry], params given: [Entry]? = nil) throws -> Stage {
            let what = "stage '\(entry.key)'"
            guard let kindEntry = fields.first(where: { $0.key == "kind" }) else {
                throw PipelineError.spec(
                    entry.location, "stage '\(entry.key)' has no 'kind:'; expected e.g. 'kind: cmd'")
            }
            let kind = try scalar(kindEntry.value, what: "a kind name")
            var deps: [(name: String, location: SourceLocation)] = []
            if let depsEntry = fields.first(where: { $0.key == "deps" }) {
                switch depsEntry.value {
                case .sequence(let list):
                    deps = try list.map { (try scalar($0, what: "a stage name"), location($0.mark)) }
                case .scalar(let s) where !s.string.isEmpty:
                    deps = [(s.string, location(depsEntry.value.mark))]
                default:
                    throw PipelineError.spec(
                        location(depsEntry.value.mark),
                        "expected a list of stage names for deps, found \(describe(depsEntry.value))")
                }
            }
            let params =
                try given ?? fields.first(where: { $0.key == "params" }).map {
                    try entries($0.value, what: "the params of \(what)")
                } ?? []
            return Stage(
                name: entry.key, location: entry.location, kind: kind, kindLocation: location(kindEntry.value.mark),
                deps: deps, params: params, seeds: try fields.first(where: { $0.key == "seeds" }).map(seeds))
        }

        /// `seeds: [0, 1, 2]`: distinct non-negative integers.
        func seeds(_ entry: Entry) throws -> Seeds {
            let items: [Node]
            if case .sequence(let list) = entry.value { items = Array(list) } else { items = [entry.value] }
            let values = try items.map { node -> Int in
                guard let value = Int(try scalar(node, what: "a seed (an integer)")), value >= 0 else {
                    throw PipelineError.spec(
                        location(node.mark), "expected a seed (an integer ≥ 0), found \(describe(node))")
                }
                return value
            }
            guard !values.isEmpty, Set(values).count == values.count else {
                throw PipelineError.spec(entry.location, "expected a list of distinct seeds, e.g. seeds: [0, 1, 2]")
            }
            return Seeds(values: values, location: entry.location)
        }

        func profile(_ entry: Entry) throws -> Profile {
            var extends: (String, SourceLocation)?
            var overrides: [Override] = []
            var seedList: Seeds?
            var executorName: String?
            var rules: [ClusterSpec.Rule] = []
            var shape = ClusterShape()
            var remote: (name: String, location: SourceLocation)?
            for field in try entries(entry.value, what: "profile '\(entry.key)'") {
                if field.key == "extends" {
                    extends = (try scalar(field.value, what: "a profile name"), location(field.value.mark))
                    continue
                }
                if field.key == "seeds" {
                    seedList = try seeds(field)
                    continue
                }
                if field.key == "executor" {
                    executorName = try executor(field)
                    continue
                }
                if field.key == "resources" {
                    rules = try resourceRules(field)
                    continue
                }
                if field.key == "cluster" {
                    shape = try clusterShape(field)
                    continue
                }
                if field.key == "remote" {
                    remote = try remoteChoice(field)
                    continue
                }
                guard let dot = field.key.lastIndex(of: "."), dot != field.key.startIndex,
                    field.key.index(after: dot) != field.key.endIndex
                else {
                    throw PipelineError.spec(
                        field.location,
                        "expected STAGE.KEY (e.g. teacher.epochs or *.epochs), 'extends', 'seeds', 'executor', "
                            + "'resources', 'cluster' or 'remote' in profile '\(entry.key)', found '\(field.key)'"
                    )
                }
                overrides.append(
                    Override(
                        pattern: String(field.key[..<dot]), key: String(field.key[field.key.index(after: dot)...]),
                        value: field.value, location: field.location))
            }
            return Profile(
                name: entry.key, location: entry.location, extends: extends, overrides: overrides, seeds: seedList,
                executor: executorName, resources: rules, shape: shape, remote: remote)
        }

        func describe(_ node: Node) -> String {
            switch node {
            case .scalar(let s): return s.string.isEmpty ? "nothing" : "'\(s.string)'"
            case .sequence: return "a list"
            case .mapping: return "a mapping"
            case .alias: return "an alias"
            }
        }
    }
}

/// The stages each stage reads from: its stage-typed parameters (`run: baseline`,
/// `rows: [baseline_eval, "-"]`) and its explicit `deps:`. A name that is no stage fails
/// here, at load, at the line that set it, not after days of upstream training. Globs in
/// stage lists (`rows: ["sched_*_eval"]`) become the matching stages, in file order.
struct StageReferences {
    struct Reference {
        let target: String
        /// The parameter that names it; nil for an explicit `deps:` entry.
        let parameter: String?
        /// A single stage (`run`, `teacher`) rather than an item of a list (`rows`).
        let isScalar: Bool
    }

    /// Per stage of the file, in file order.
    let references: [[Reference]]

    /// The names "" (a scalar) and "-" (a list item) name no stage: "no teacher", "a row we do not reproduce".
    static let none: Set<String> = ["", "-"]

    init(
        file: PipelineFile, kinds: [any StageKind], values: inout [[String: ParamValue]],
        locations: [[String: SourceLocation]]
    ) throws {
        let names = file.stages.map(\.name)
        let known = Set(names)
        var all: [[Reference]] = []
        for (i, stage) in file.stages.enumerated() {
            var references: [Reference] = []
            func check(_ target: String, _ parameter: String?, at location: SourceLocation) throws {
                let what =
                    parameter.map { "parameter '\($0)' of stage '\(stage.name)' names" }
                    ?? "stage '\(stage.name)' depends on"
                guard known.contains(target) else {
                    throw PipelineError.spec(
                        location, "\(what) unknown stage '\(target)'\(NearestName.hint(target, among: names))")
                }
                guard target != stage.name else {
                    throw PipelineError.spec(location, "stage '\(stage.name)' depends on itself")
                }
            }
            for parameter in kinds[i].parameters {
                let location = locations[i][parameter.name] ?? stage.location
                switch (parameter.type, values[i][parameter.name]) {
                case (.stage, .string(let target)?) where !StageReferences.none.contains(target):
                    try check(target, parameter.name, at: location)
                    references.append(Reference(target: target, parameter: parameter.name, isScalar: true))
                case (.list(.stage), .list(let items)?):
                    var expanded: [ParamValue] = []
                    for item in items.compactMap(\.stringValue) {
                        if StageReferences.none.contains(item) {
                            expanded.append(.string(item))
                            continue
                        }
                        let targets =
                            Glob.isPattern(item) ? names.filter { Glob.matches(item, $0) && $0 != stage.name } : [item]
                        guard !targets.isEmpty else {
                            throw PipelineError.spec(
                                location,
                                "parameter '\(parameter.name)' of stage '\(stage.name)': '\(item)' matches no stage")
                        }
                        for target in targets {
                            try check(target, parameter.name, at: location)
                            references.append(Reference(target: target, parameter: parameter.name, isScalar: false))
                            expanded.append(.string(target))
                        }
                    }
                    values[i][parameter.name] = .list(expanded)
                default:
                    break
                }
            }
            for dep in stage.deps {
                try check(dep.name, nil, at: dep.location)
                references.append(Reference(target: dep.name, parameter: nil, isScalar: false))
            }
            all.append(references)
        }
        references = all
    }
}

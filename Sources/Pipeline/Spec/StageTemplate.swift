import Yams

/// Stage templates: one declaration in pipeline.yaml, many stages.
///
/// ```yaml
/// sched:                       # one train stage per combination (Cartesian product,
///   kind: train                # the last axis changing fastest)
///   matrix:
///     schedule: [step, poly]                               # each axis is a parameter
///     decay_epochs: {p306090: [30, 60, 90], p4080: [40, 80]} # labelled values
///   name: "${schedule}_${decay_epochs}"                    # default: sched@schedule=step,decay_epochs=p4080
/// eval:
///   foreach: {kind: train}     # or a list: foreach: [baseline, adam]
///   name: "${item}_eval"       # default: eval@baseline
///   kind: evaluate
///   params: {run: "${item}"}
/// ```
/// `${axis}` (the value's label) and `${item}` are replaced in the name and in every
/// string of the stage's fields; errors point at the template's lines. `foreach` over a
/// kind sees every stage of that kind, template-made ones included, in file order.
enum StageTemplate {
    static func expand(_ entries: [PipelineFile.Entry], reader: PipelineFile.Reader) throws -> [PipelineFile.Stage] {
        var fields: [[PipelineFile.Entry]] = []
        var expanded: [[PipelineFile.Stage]?] = []
        for entry in entries {
            let own = try reader.entries(
                entry.value, what: "stage '\(entry.key)'", allowed: PipelineFile.Reader.stageFields)
            fields.append(own)
            let has = { (key: String) in own.first { $0.key == key } }
            if let both = has("foreach"), has("matrix") != nil {
                throw PipelineError.spec(both.location, "stage '\(entry.key)' has both 'matrix' and 'foreach'; use one")
            }
            if has("foreach") != nil {
                expanded.append(nil)  // after every other stage is known
            } else if let matrix = has("matrix") {
                expanded.append(try self.matrix(entry, own, matrix, reader))
            } else {
                if let name = has("name") {
                    throw PipelineError.spec(
                        name.location,
                        "'name' names the stages of a template; stage '\(entry.key)' has no 'matrix' or 'foreach'")
                }
                expanded.append([try reader.stage(entry, fields: own)])
            }
        }
        let known = expanded.compactMap { $0 }.flatMap { $0 }
        for (i, entry) in entries.enumerated() where expanded[i] == nil {
            expanded[i] = try foreach(entry, fields[i], among: known, reader)
        }
        return expanded.flatMap { $0 ?? [] }
    }

    private static func matrix(
        _ entry: PipelineFile.Entry, _ fields: [PipelineFile.Entry], _ matrix: PipelineFile.Entry,
        _ reader: PipelineFile.Reader
    ) throws -> [PipelineFile.Stage] {
        let axes = try reader.entries(matrix.value, what: "the matrix of stage '\(entry.key)'").map { axis in
            (name: axis.key, location: axis.location, values: try values(of: axis, reader))
        }
        guard !axes.isEmpty else {
            throw PipelineError.spec(
                matrix.location, "the matrix of stage '\(entry.key)' has no axes; expected e.g. matrix: {seed: [0, 1]}")
        }
        let own =
            try fields.first { $0.key == "params" }.map {
                try reader.entries($0.value, what: "the params of stage '\(entry.key)'")
            } ?? []
        if let clash = own.first(where: { p in axes.contains { $0.name == p.key } }) {
            throw PipelineError.spec(
                clash.location, "'\(clash.key)' is both a matrix axis and a parameter of stage '\(entry.key)'")
        }
        var combinations: [[(axis: String, location: SourceLocation, label: String, value: Node)]] = [[]]
        for axis in axes {
            combinations = combinations.flatMap { prefix in
                axis.values.map { prefix + [(axis.name, axis.location, $0.label, $0.value)] }
            }
        }
        let perStage = Set(axes.map(\.name) + own.filter { mentionsVariable($0.value) }.map(\.key))
        return try combinations.map { combination in
            let variables = Dictionary(uniqueKeysWithValues: combination.map { ($0.axis, $0.label) })
            let name = try stageName(
                entry, fields, variables, reader,
                default: entry.key + "@" + combination.map { "\($0.axis)=\($0.label)" }.joined(separator: ","))
            let axisParams = combination.map {
                PipelineFile.Entry(key: $0.axis, value: $0.value, location: $0.location)
            }
            let substituted = try substitute(fields, variables, reader, except: ["matrix", "name", "params"])
            let params = try substitute(own, variables, reader, except: []) + axisParams
            var stage = try reader.stage(
                PipelineFile.Entry(key: name, value: entry.value, location: entry.location),
                fields: substituted, params: params)
            stage.template = PipelineFile.TemplateOrigin(name: entry.key, location: entry.location, perStage: perStage)
            return stage
        }
    }

    private static func foreach(
        _ entry: PipelineFile.Entry, _ fields: [PipelineFile.Entry], among known: [PipelineFile.Stage],
        _ reader: PipelineFile.Reader
    ) throws -> [PipelineFile.Stage] {
        let spec = fields.first { $0.key == "foreach" }!
        let items: [String]
        switch spec.value {
        case .sequence(let list):
            items = try list.map { try reader.scalar($0, what: "an item (a name)") }
        case .mapping:
            let filter = try reader.entries(spec.value, what: "the foreach of stage '\(entry.key)'", allowed: ["kind"])
            guard let kind = filter.first else {
                throw PipelineError.spec(spec.location, "expected foreach: {kind: NAME} or a list of items")
            }
            let name = try reader.scalar(kind.value, what: "a kind name")
            items = known.filter { $0.kind == name }.map(\.name)
            guard !items.isEmpty else {
                throw PipelineError.spec(kind.location, "foreach: no stage has kind '\(name)'")
            }
        default:
            throw PipelineError.spec(
                spec.location,
                "expected foreach: [item, …] or foreach: {kind: NAME}, found \(reader.describe(spec.value))")
        }
        let params =
            try fields.first { $0.key == "params" }.map {
                try reader.entries($0.value, what: "the params of stage '\(entry.key)'")
            } ?? []
        let origin = PipelineFile.TemplateOrigin(
            name: entry.key, location: entry.location,
            perStage: Set(params.filter { mentionsVariable($0.value) }.map(\.key)))
        return try items.map { item in
            let variables = ["item": item]
            let name = try stageName(entry, fields, variables, reader, default: "\(entry.key)@\(item)")
            let substituted = try substitute(fields, variables, reader, except: ["foreach", "name"])
            var stage = try reader.stage(
                PipelineFile.Entry(key: name, value: entry.value, location: entry.location),
                fields: substituted)
            stage.template = origin
            return stage
        }
    }

    /// True when a string in `node` holds `${…}`: the template sets the value per stage.
    private static func mentionsVariable(_ node: Node) -> Bool {
        switch node {
        case .scalar(let s): return s.string.contains("${")
        case .sequence(let list): return list.contains(where: mentionsVariable)
        case .mapping(let map): return map.contains { mentionsVariable($0.value) }
        case .alias: return false
        }
    }

    /// An axis's values with their labels: `[5, 20]` → "5", "20"; a list value `[40, 80]`
    /// → "40-80"; a mapping `{p4080: [40, 80]}` → its keys.
    private static func values(
        of axis: PipelineFile.Entry, _ reader: PipelineFile.Reader
    ) throws -> [(label: String, value: Node)] {
        switch axis.value {
        case .sequence(let list) where !list.isEmpty:
            return try list.map { node in
                if case .sequence(let inner) = node {
                    return (try inner.map { try reader.scalar($0, what: "a value") }.joined(separator: "-"), node)
                }
                return (try reader.scalar(node, what: "a value of axis '\(axis.key)'"), node)
            }
        case .mapping:
            return try reader.entries(axis.value, what: "axis '\(axis.key)'").map { ($0.key, $0.value) }
        default:
            throw PipelineError.spec(
                axis.location,
                "expected a list of values (or a mapping of labels to values) for axis '\(axis.key)', found "
                    + "\(reader.describe(axis.value))"
            )
        }
    }

    private static func stageName(
        _ entry: PipelineFile.Entry, _ fields: [PipelineFile.Entry], _ variables: [String: String],
        _ reader: PipelineFile.Reader, default name: String
    ) throws -> String {
        guard let pattern = fields.first(where: { $0.key == "name" }) else { return name }
        let text = try reader.scalar(pattern.value, what: "a name pattern such as \"${item}_eval\"")
        return try substitute(text, variables, at: reader.location(pattern.value.mark))
    }

    private static func substitute(
        _ fields: [PipelineFile.Entry], _ variables: [String: String], _ reader: PipelineFile.Reader,
        except skipped: Set<String>
    ) throws -> [PipelineFile.Entry] {
        try fields.filter { !skipped.contains($0.key) }.map {
            PipelineFile.Entry(key: $0.key, value: try substitute($0.value, variables, reader), location: $0.location)
        }
    }

    private static func substitute(
        _ node: Node, _ variables: [String: String], _ reader: PipelineFile.Reader
    ) throws -> Node {
        switch node {
        case .scalar(let s):
            let text = try substitute(s.string, variables, at: reader.location(s.mark))
            return .scalar(.init(text, s.tag, s.style, s.mark))
        case .sequence(let list):
            return .sequence(
                .init(try list.map { try substitute($0, variables, reader) }, list.tag, list.style, list.mark))
        case .mapping(let map):
            return .mapping(
                .init(
                    try map.map { ($0.key, try substitute($0.value, variables, reader)) }, map.tag, map.style, map.mark)
            )
        case .alias:
            return node
        }
    }

    /// `${name}` replaced by its value; an unknown name is an error at `location`.
    static func substitute(_ text: String, _ variables: [String: String], at location: SourceLocation) throws -> String
    {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw PipelineError.spec(location, "unclosed '${' in '\(text)'")
            }
            let name = String(rest[open.upperBound..<close])
            guard let value = variables[name] else {
                throw PipelineError.spec(
                    location,
                    "unknown variable '${\(name)}' in '\(text)' (known here: "
                        + "\(variables.keys.sorted().map { "${\($0)}" }.joined(separator: ", ")))"
                )
            }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

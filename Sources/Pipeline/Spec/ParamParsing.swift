import Yams

/// Turns YAML nodes (pipeline.yaml) and `--param` text into typed values. The declared
/// type decides: a quoted "2" is not an integer, and `2` is a fine float. A single value
/// where a list is declared is a one-element list (`url: file.tar.gz`, `--param
/// cifar100.url=/path/to/archive.tar.gz`), so a user never has to write brackets for one item.
enum ParamParsing {
    /// The value, or a message saying what was expected and what was found.
    static func value(_ node: Node, as type: ParamType) -> Result<ParamValue, ParamProblem> {
        switch (type, node) {
        case (.list(let element), .sequence(let sequence)):
            var items: [ParamValue] = []
            for item in sequence {
                switch value(item, as: element) {
                case .success(let v): items.append(v)
                case .failure(let problem): return .failure(ParamProblem("list item: \(problem.message)"))
                }
            }
            return .success(.list(items))
        case (_, .scalar(let scalar)):
            return value(scalar, as: type)
        case (_, .sequence):
            return .failure(ParamProblem("expected \(type), found a list"))
        case (_, .mapping):
            return .failure(ParamProblem("expected \(type), found a mapping"))
        case (_, .alias):
            return .failure(ParamProblem("expected \(type), found an alias"))
        }
    }

    private static func value(_ scalar: Node.Scalar, as type: ParamType) -> Result<ParamValue, ParamProblem> {
        let text = scalar.string
        let plain = scalar.style == .plain || scalar.style == .any
        let found = plain ? "'\(text)'" : "the string \"\(text)\""
        if plain && (text.isEmpty || text == "~" || text == "null") {
            return .failure(ParamProblem("expected \(type), found nothing"))
        }
        switch type {
        case .string, .stage:
            return .success(.string(text))
        case .int:
            if plain, let i = Int(text) { return .success(.int(i)) }
            return .failure(ParamProblem("expected an integer, found \(found)"))
        case .float:
            if plain, let d = Double(text), d.isFinite, !text.lowercased().hasPrefix("0x") {
                return .success(.float(d))
            }
            return .failure(ParamProblem("expected a number, found \(found)"))
        case .bool:
            if plain, ["true", "True", "TRUE"].contains(text) { return .success(.bool(true)) }
            if plain, ["false", "False", "FALSE"].contains(text) { return .success(.bool(false)) }
            return .failure(ParamProblem("expected true or false, found \(found)"))
        case .list(let element):
            return value(scalar, as: element).map { .list([$0]) }
                .mapError { _ in ParamProblem("expected \(type), found \(found)") }
        }
    }

    /// A `--param` value: strings are taken verbatim, anything else is read as YAML
    /// (`3`, `0.1`, `true`, `[1, 2]`).
    static func value(commandLine text: String, as type: ParamType) -> Result<ParamValue, ParamProblem> {
        if type == .string || type == .stage { return .success(.string(text)) }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            return .failure(ParamProblem("expected \(type), found '\(text)' (not valid YAML)"))
        }
        guard let node else { return .failure(ParamProblem("expected \(type), found nothing")) }
        return value(node, as: type)
    }
}

/// Why a value does not fit its declared type ("expected an integer, found 'abc'").
struct ParamProblem: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}

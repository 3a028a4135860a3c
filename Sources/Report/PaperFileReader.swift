import Yams

/// Reads the YAML nodes of a paper file strictly: every value of the expected shape, every
/// key known, and each error at the line of the node it is about.
struct PaperFileReader {
    /// The file's name in messages (relative to pipeline.yaml).
    let file: String

    /// One key of a mapping: its name, value and where the key is written.
    struct Entry {
        let key: String
        let value: Node
        let mark: Mark?
    }

    func error(_ node: Node?, _ message: String) -> PaperFileError {
        error(node?.mark, message)
    }

    func error(_ mark: Mark?, _ message: String) -> PaperFileError {
        PaperFileError(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message)
    }

    func compose(_ text: String) throws -> Node {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let yaml as YamlError {
            throw translate(yaml)
        }
        guard let node else { throw error(nil as Mark?, "the file is empty; expected a mapping with 'tables:'") }
        return node
    }

    /// The entries of a mapping in file order; a key outside `allowed` is an error.
    func entries(_ node: Node, _ what: String, allowed: [String]? = nil) throws -> [Entry] {
        guard case .mapping(let mapping) = node else {
            throw error(node, "expected a mapping for \(what), found \(describe(node))")
        }
        var seen: Set<String> = []
        return try mapping.map { key, value in
            guard case .scalar(let scalar) = key else { throw error(key, "expected a name as key in \(what)") }
            if let allowed, !allowed.contains(scalar.string) {
                throw error(key, "unknown key '\(scalar.string)' in \(what); known: \(allowed.joined(separator: ", "))")
            }
            guard seen.insert(scalar.string).inserted else {
                throw error(key, "'\(scalar.string)' appears twice in \(what)")
            }
            return Entry(key: scalar.string, value: value, mark: key.mark)
        }
    }

    /// The value of `key`, or nil when absent.
    func optional(_ entries: [Entry], _ key: String) -> Node? {
        entries.first { $0.key == key }?.value
    }

    /// The value of `key`; its absence is an error at `owner`.
    func required(_ entries: [Entry], _ key: String, in owner: Node, _ what: String) throws -> Node {
        guard let value = optional(entries, key) else { throw error(owner, "\(what) has no '\(key)'") }
        return value
    }

    func sequence(_ node: Node, _ what: String) throws -> [Node] {
        guard case .sequence(let items) = node else {
            throw error(node, "expected a list for \(what), found \(describe(node))")
        }
        return Array(items)
    }

    func string(_ node: Node, _ what: String) throws -> String {
        guard case .scalar(let scalar) = node, node.null == nil else {
            throw error(node, "expected text for \(what), found \(describe(node))")
        }
        return scalar.string
    }

    /// A number as the paper prints it, or nil for `null` (a cell the paper leaves empty).
    func number(_ node: Node, _ what: String) throws -> Double? {
        guard case .scalar(let scalar) = node else {
            throw error(node, "expected a number or null for \(what), found \(describe(node))")
        }
        if node.null != nil { return nil }
        guard scalar.style == .plain, let value = Double(scalar.string), value.isFinite else {
            throw error(node, "expected a number or null for \(what), found '\(scalar.string)'")
        }
        return value
    }

    func bool(_ node: Node, _ what: String) throws -> Bool {
        guard let value = node.bool else {
            throw error(node, "expected true or false for \(what), found \(describe(node))")
        }
        return value
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private func translate(_ yaml: YamlError) -> PaperFileError {
        switch yaml {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return error(mark, "YAML syntax error: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return error(context.mark, "duplicate key '\(duplicates.joined(separator: ", "))'")
        default:
            return error(nil as Mark?, "YAML error: \(yaml)")
        }
    }
}

import Foundation

/// A resolved parameter value. The declared type decides the case, so `2` given for a
/// float parameter is `.float(2.0)` and hashes the same as `2.0`.
public indirect enum ParamValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)
    case list([ParamValue])

    public var json: JSONValue {
        switch self {
        case .int(let i): return .int(i)
        case .float(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .list(let items): return .array(items.map(\.json))
        }
    }

    /// Reads back what `json` wrote (the lock file). Nil for a value no parameter holds.
    public init?(json: JSONValue) {
        switch json {
        case .int(let i): self = .int(i)
        case .double(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .bool(let b): self = .bool(b)
        case .array(let items):
            let values = items.compactMap(ParamValue.init(json:))
            guard values.count == items.count else { return nil }
            self = .list(values)
        case .null, .object: return nil
        }
    }

    /// As a user would write it in pipeline.yaml.
    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .float(let d): return JSONValue.spell(d)
        case .string(let s): return s.isEmpty || s.contains(where: { " ,:[]{}#\"'".contains($0) }) ? json.canonical : s
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }

    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .float(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var listValue: [ParamValue]? {
        if case .list(let items) = self { return items }
        return nil
    }

    /// A list of strings, e.g. the `cmd` kind's `inputs`.
    public var stringList: [String]? {
        listValue?.compactMap(\.stringValue)
    }
}

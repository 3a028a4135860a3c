import Foundation
import Support

/// A resolved parameter value. The declared type decides the case, so `2` given for a
/// float parameter is `.float(2.0)` and hashes the same as `2.0`.
public indirect enum ParamValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)
    case list([ParamValue])

    /// As a user would write it in pipeline.yaml.
    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .float(let d): return JSONValue.spell(d)
        case .string(let s):
            return s.isEmpty || s.contains(where: { " ,:[]{}#\"'".contains($0) }) ? JSONValue.string(s).canonical : s
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

/// In JSON the value itself: the JSON layer keeps integers and floats apart, so a float
/// parameter's 2.0 reads back as a float and an int's 2 as an int.
extension ParamValue: Codable {
    public init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let b = try? value.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? value.decode(Int.self) {
            self = .int(i)
        } else if let d = try? value.decode(Double.self) {
            self = .float(d)
        } else if let s = try? value.decode(String.self) {
            self = .string(s)
        } else {
            self = .list(try value.decode([ParamValue].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var value = encoder.singleValueContainer()
        switch self {
        case .int(let i): try value.encode(i)
        case .float(let d): try value.encode(d)
        case .string(let s): try value.encode(s)
        case .bool(let b): try value.encode(b)
        case .list(let items): try value.encode(items)
        }
    }
}

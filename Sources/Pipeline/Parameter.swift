/// The type a stage kind declares for one of its parameters.
public indirect enum ParamType: Sendable, Equatable, CustomStringConvertible {
    case int
    case float
    case string
    case bool
    case list(ParamType)

    public var description: String {
        switch self {
        case .int: return "an integer"
        case .float: return "a number"
        case .string: return "a string"
        case .bool: return "true or false"
        case .list(let element): return "a list of \(element.plural)"
        }
    }

    private var plural: String {
        switch self {
        case .int: return "integers"
        case .float: return "numbers"
        case .string: return "strings"
        case .bool: return "booleans"
        case .list(let element): return "lists of \(element.plural)"
        }
    }
}

/// One declared parameter of a stage kind: its name, type, default (nil: required) and
/// a line of documentation.
public struct Parameter: Sendable {
    public let name: String
    public let type: ParamType
    public let defaultValue: ParamValue?
    public let doc: String

    public init(_ name: String, _ type: ParamType, default defaultValue: ParamValue? = nil, doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
    }

    public var isRequired: Bool { defaultValue == nil }
}

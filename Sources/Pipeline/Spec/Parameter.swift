/// The type a stage kind declares for one of its parameters.
public indirect enum ParamType: Sendable, Equatable, CustomStringConvertible {
    case int
    case float
    case string
    case bool
    /// The name of another stage: a dependency. Empty (or "-" in a list) names none.
    case stage
    case list(ParamType)

    public var description: String {
        switch self {
        case .int: return "an integer"
        case .float: return "a number"
        case .string: return "a string"
        case .bool: return "true or false"
        case .stage: return "a stage name"
        case .list(let element): return "a list of \(element.plural)"
        }
    }

    private var plural: String {
        switch self {
        case .int: return "integers"
        case .float: return "numbers"
        case .string: return "strings"
        case .bool: return "booleans"
        case .stage: return "stage names"
        case .list(let element): return "lists of \(element.plural)"
        }
    }
}

/// One declared parameter of a stage kind: its name, type, default (nil: required), a
/// line of documentation, and when it matters.
///
/// A stage key holds only the parameters that change the result: a value equal to the
/// default is left out (so a kind can gain a defaulted parameter without re-keying
/// anything: bump the kind's version when a default changes), and so is a parameter
/// whose `matters` says the other settings ignore it (`decay_epochs` under cosine).
public struct Parameter: Sendable {
    public let name: String
    public let type: ParamType
    public let defaultValue: ParamValue?
    public let doc: String
    /// False when the other parameters make this one irrelevant; nil: always matters.
    public let matters: (@Sendable (ResolvedParameters) -> Bool)?

    public init(
        _ name: String, _ type: ParamType, default defaultValue: ParamValue? = nil, doc: String,
        matters: (@Sendable (ResolvedParameters) -> Bool)? = nil
    ) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
        self.matters = matters
    }

    public var isRequired: Bool { defaultValue == nil }

    /// True when `value` belongs in the key of a stage with `parameters`.
    func entersKey(_ value: ParamValue, of parameters: ResolvedParameters) -> Bool {
        value != defaultValue && (matters?(parameters) ?? true)
    }
}

/// A kind's parameters as one typed struct, declared once: each field's name, type,
/// default (the struct's own initial value), documentation, check, and when it matters
/// for the result, in one line that also fills the struct. A kind adopting
/// `TypedStageKind` gets its `parameters` and `validate` from it and reads its stage's
/// values as the struct, never by string.
///
/// ```swift
/// struct Params: StageParameters {
///     var epochs = 120
///     var schedule = "step"
///     var decayEpochs = [30, 60, 90]
///     static let fields: [ParameterField<Params>] = [
///         .field("epochs", \.epochs, doc: "training epochs", check: positive),
///         .field("decay_epochs", \.decayEpochs, doc: "…", matters: { $0.schedule == "step" }),
///     ]
/// }
/// ```
public protocol StageParameters: Sendable {
    init()
    static var fields: [ParameterField<Self>] { get }
}

/// One declared field of a `StageParameters` struct.
public struct ParameterField<Root: StageParameters>: Sendable {
    public let parameter: Parameter
    let assign: @Sendable (inout Root, ParamValue) -> Void
    let check: @Sendable (ParamValue) -> String?

    /// A field of a plain type (Int, Double, String, Bool, UInt64, lists of them, or a
    /// `ParamChoice` enum); `required` fields have no default.
    public static func field<Value: ParamConvertible>(
        _ name: String, _ path: WritableKeyPath<Root, Value> & Sendable, doc: String, required: Bool = false,
        check: (@Sendable (Value) -> String?)? = nil, matters: (@Sendable (Root) -> Bool)? = nil
    ) -> ParameterField {
        let declared: ParamValue = Root()[keyPath: path].paramValue
        var relevant: (@Sendable (ResolvedParameters) -> Bool)?
        if let matters {
            relevant = { resolved in matters(Root(resolved)) }
        }
        let assign: @Sendable (inout Root, ParamValue) -> Void = { root, value in
            if let typed = Value(value) { root[keyPath: path] = typed }
        }
        let validate: @Sendable (ParamValue) -> String? = { value in
            guard let typed = Value(value) else { return Value.problem(name, value) }
            guard let problem = check?(typed) else { return nil }
            return "\(name): \(problem)"
        }
        return ParameterField(
            parameter: Parameter(
                name, Value.paramType, default: required ? nil : declared, doc: doc, matters: relevant),
            assign: assign, check: validate)
    }

    /// The name of another stage (a dependency): "" names none.
    public static func stage(
        _ name: String, _ path: WritableKeyPath<Root, String> & Sendable, doc: String,
        required: Bool = false
    ) -> ParameterField {
        retyped(field(name, path, doc: doc, required: required), as: .stage)
    }

    /// Names of other stages (dependencies); "-" names none, globs name every match.
    public static func stages(
        _ name: String, _ path: WritableKeyPath<Root, [String]> & Sendable, doc: String,
        required: Bool = false
    ) -> ParameterField {
        retyped(field(name, path, doc: doc, required: required), as: .list(.stage))
    }

    /// A field written as one of a few words that stand for values of another type
    /// (`bn_running_var: biased|unbiased` for a Bool).
    public static func choice<Value: Equatable & Sendable>(
        _ name: String, _ path: WritableKeyPath<Root, Value> & Sendable, _ words: [(String, Value)], doc: String
    ) -> ParameterField {
        let current = Root()[keyPath: path]
        let declared = words.first { $0.1 == current }!.0
        let known = words.map(\.0).joined(separator: ", ")
        return ParameterField(
            parameter: Parameter(name, .string, default: .string(declared), doc: doc),
            assign: { root, value in
                if let word = value.stringValue, let match = words.first(where: { $0.0 == word }) {
                    root[keyPath: path] = match.1
                }
            },
            check: { value in
                words.contains { $0.0 == value.stringValue } ? nil : "unknown \(name) '\(value)'; known: \(known)"
            })
    }

    private static func retyped(_ field: ParameterField, as type: ParamType) -> ParameterField {
        let p = field.parameter
        return ParameterField(
            parameter: Parameter(p.name, type, default: p.defaultValue, doc: p.doc, matters: p.matters),
            assign: field.assign, check: field.check)
    }
}

extension StageParameters {
    /// The declared parameters, for the kind's `parameters`.
    public static var parameters: [Parameter] { fields.map(\.parameter) }

    /// The struct holding a stage's resolved values.
    public init(_ resolved: ResolvedParameters) {
        self.init()
        for field in Self.fields {
            if let value = resolved[field.parameter.name] { field.assign(&self, value) }
        }
    }

    /// The first field whose value fails its check, as a message for the stage's line.
    public static func problem(in resolved: ResolvedParameters) -> String? {
        for field in fields {
            if let value = resolved[field.parameter.name], let problem = field.check(value) { return problem }
        }
        return nil
    }
}

/// A stage kind whose parameters are one `StageParameters` struct.
public protocol TypedStageKind: StageKind {
    associatedtype Parameters: StageParameters
    /// Checks across fields (warm-up shorter than the run); the fields' own checks ran first.
    func check(_ parameters: Parameters) -> String?
}

extension TypedStageKind {
    public var parameters: [Parameter] { Parameters.parameters }

    public func validate(_ resolved: ResolvedParameters) -> String? {
        Parameters.problem(in: resolved) ?? check(Parameters(resolved))
    }

    public func check(_ parameters: Parameters) -> String? { nil }
}

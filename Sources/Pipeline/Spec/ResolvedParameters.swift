/// A stage's parameters after defaults, profile and `--param`: every declared parameter
/// has a value of its declared type.
public struct ResolvedParameters: Sendable, Equatable {
    public let values: [String: ParamValue]

    public init(_ values: [String: ParamValue]) {
        self.values = values
    }

    public subscript(name: String) -> ParamValue? { values[name] }

    // Typed accessors. Kinds declare their parameters, so after resolution a missing
    // or mistyped value is a bug in the kind's declaration, reported by name.
    public func int(_ name: String) -> Int { typed(name, \.intValue) }
    public func double(_ name: String) -> Double { typed(name, \.doubleValue) }
    public func string(_ name: String) -> String { typed(name, \.stringValue) }
    public func bool(_ name: String) -> Bool { typed(name, \.boolValue) }
    public func list(_ name: String) -> [ParamValue] { typed(name, \.listValue) }
    public func strings(_ name: String) -> [String] { typed(name, \.stringList) }

    private func typed<T>(_ name: String, _ extract: (ParamValue) -> T?) -> T {
        guard let value = values[name], let typed = extract(value) else {
            preconditionFailure("parameter '\(name)' is not declared with type \(T.self) by this kind")
        }
        return typed
    }
}

/// In JSON the name → value object itself.
extension ResolvedParameters: Codable {
    public init(from decoder: Decoder) throws {
        self.init(try decoder.singleValueContainer().decode([String: ParamValue].self))
    }

    public func encode(to encoder: Encoder) throws {
        var value = encoder.singleValueContainer()
        try value.encode(values)
    }
}

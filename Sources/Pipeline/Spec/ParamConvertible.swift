/// A Swift type a declared parameter can hold (see `ParameterField.field`).
public protocol ParamConvertible: Sendable {
    static var paramType: ParamType { get }
    /// Nil when `value` does not fit (another type, an unknown word, a negative count).
    init?(_ value: ParamValue)
    var paramValue: ParamValue { get }
    /// Why `value` does not fit; the default says what was expected.
    static func problem(_ name: String, _ value: ParamValue) -> String
}

extension ParamConvertible {
    public static func problem(_ name: String, _ value: ParamValue) -> String {
        "\(name) must be \(paramType), found \(value)"
    }
}

/// A type read straight from one case of `ParamValue`.
public protocol ScalarParam: ParamConvertible {
    static func read(_ value: ParamValue) -> Self?
}

extension ScalarParam {
    public init?(_ value: ParamValue) {
        guard let typed = Self.read(value) else { return nil }
        self = typed
    }
}

extension Int: ScalarParam {
    public static var paramType: ParamType { .int }
    public static func read(_ value: ParamValue) -> Int? { value.intValue }
    public var paramValue: ParamValue { .int(self) }
}

/// Seeds: integers that cannot be negative.
extension UInt64: ScalarParam {
    public static var paramType: ParamType { .int }
    public static func read(_ value: ParamValue) -> UInt64? { value.intValue.flatMap { $0 >= 0 ? UInt64($0) : nil } }
    public var paramValue: ParamValue { .int(Int(self)) }
    public static func problem(_ name: String, _ value: ParamValue) -> String {
        "\(name) must be zero or positive, found \(value)"
    }
}

extension Double: ScalarParam {
    public static var paramType: ParamType { .float }
    public static func read(_ value: ParamValue) -> Double? { value.doubleValue }
    public var paramValue: ParamValue { .float(self) }
}

extension String: ScalarParam {
    public static var paramType: ParamType { .string }
    public static func read(_ value: ParamValue) -> String? { value.stringValue }
    public var paramValue: ParamValue { .string(self) }
}

extension Bool: ScalarParam {
    public static var paramType: ParamType { .bool }
    public static func read(_ value: ParamValue) -> Bool? { value.boolValue }
    public var paramValue: ParamValue { .bool(self) }
}

extension Array: ParamConvertible where Element: ParamConvertible {
    public static var paramType: ParamType { .list(Element.paramType) }
    public init?(_ value: ParamValue) {
        guard let items = value.listValue else { return nil }
        let typed = items.compactMap(Element.init)
        guard typed.count == items.count else { return nil }
        self = typed
    }
    public var paramValue: ParamValue { .list(map(\.paramValue)) }
}

/// An enum written as one of its raw values (`optimizer: nag`); an unknown word is
/// refused with the known ones.
public protocol ParamChoice: ParamConvertible, RawRepresentable, CaseIterable where RawValue == String {}

extension ParamChoice {
    public static var paramType: ParamType { .string }
    public init?(_ value: ParamValue) {
        guard let word = value.stringValue else { return nil }
        self.init(rawValue: word)
    }
    public var paramValue: ParamValue { .string(rawValue) }
    public static func problem(_ name: String, _ value: ParamValue) -> String {
        "unknown \(name) '\(value)'; known: \(allCases.map(\.rawValue).joined(separator: ", "))"
    }
}

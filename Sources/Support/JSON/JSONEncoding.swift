import Foundation

// The Codable side of the JSON layer, writing: a value's `Encodable` conformance turns it
// into a `JSONValue`, so a type declares its JSON once, by its stored properties (and
// `CodingKeys` where a key is spelled otherwise). Integers become `.int` and floating-point
// numbers `.double`, which keeps one spelling per number.

extension JSONValue {
    /// `value` as a document, through its `Encodable` conformance.
    public init<T: Encodable>(encoding value: T) throws {
        let node = JSONNode()
        try node.encode(value, path: [])
        self = node.value
    }

    /// `value`'s bytes as a file holds them in `style`.
    public static func data<T: Encodable>(_ value: T, _ style: JSONStyle) throws -> Data {
        Data(try JSONValue(encoding: value).text(style).utf8)
    }
}

/// What the encoder builds. A reference, so that every container an encoder hands out
/// writes into one place: a keyed container asked for twice (one value's fields flattened
/// into another's object) adds to the same object.
final class JSONNode {
    private var scalar: JSONValue?
    private var members: [String: JSONNode]?
    private var items: [JSONNode]?

    /// A value that wrote nothing is an empty object, as with Foundation's encoder.
    var value: JSONValue {
        if let scalar { return scalar }
        if let items { return .array(items.map(\.value)) }
        return .object((members ?? [:]).mapValues(\.value))
    }

    var count: Int { items?.count ?? 0 }

    func set(_ value: JSONValue) { scalar = value }

    func makeObject() { if members == nil { members = [:] } }

    func makeArray() { if items == nil { items = [] } }

    func member(_ key: String) -> JSONNode {
        makeObject()
        if let known = members![key] { return known }
        let node = JSONNode()
        members![key] = node
        return node
    }

    func append() -> JSONNode {
        let node = JSONNode()
        makeArray()
        items!.append(node)
        return node
    }

    func encode<T: Encodable>(_ value: T, path: [CodingKey]) throws {
        if let scalar = try Self.scalarValue(value, path: path) { return set(scalar) }
        try value.encode(to: NodeEncoder(node: self, codingPath: path))
    }

    /// The JSON of the types an encoder writes itself; nil for a type that encodes itself.
    private static func scalarValue(_ value: Any, path: [CodingKey]) throws -> JSONValue? {
        switch value {
        case let v as Bool: return .bool(v)
        case let v as String: return .string(v)
        case let v as Double: return .double(v)
        // The Double of a Float's shortest spelling (0.1, not 0.10000000149011612). No file
        // of repro holds a Float; Foundation spells one the same below 2^24.
        case let v as Float: return .double(Double("\(v)")!)
        case let v as any BinaryInteger:
            guard let i = Int(exactly: v) else {
                let context = EncodingError.Context(codingPath: path, debugDescription: "\(v) is beyond Int's range")
                throw EncodingError.invalidValue(v, context)
            }
            return .int(i)
        default: return nil
        }
    }
}

struct NodeEncoder: Encoder {
    let node: JSONNode
    let codingPath: [CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedNodeContainer(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedNodeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        SingleNodeContainer(node: node, codingPath: codingPath)
    }
}

/// Index keys for the coding paths of array elements, as in error messages.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue!)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { return nil }
}

// The containers' typed methods are protocol requirements without defaults: each one
// forwards to its container's one generic `put` (`PutsValues` for the two without keys).

struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONNode
    let codingPath: [CodingKey]

    private func put<T: Encodable>(_ value: T, _ key: Key) throws {
        try node.member(key.stringValue).encode(value, path: codingPath + [key])
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try put(value, key) }
    mutating func encodeNil(forKey key: Key) throws { node.member(key.stringValue).set(.null) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try put(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try put(value, key) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        superEncoder(forKey: key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        superEncoder(forKey: key).unkeyedContainer()
    }

    mutating func superEncoder() -> Encoder { NodeEncoder(node: node, codingPath: codingPath) }

    mutating func superEncoder(forKey key: Key) -> Encoder {
        NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
    }
}

struct UnkeyedNodeContainer: UnkeyedEncodingContainer, PutsValues {
    let node: JSONNode
    let codingPath: [CodingKey]
    var count: Int { node.count }

    func put<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(node.count)]
        try node.append().encode(value, path: path)
    }

    mutating func encode<T: Encodable>(_ value: T) throws { try put(value) }
    mutating func encodeNil() throws { node.append().set(.null) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    )
        -> KeyedEncodingContainer<NestedKey>
    {
        superEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer { superEncoder().unkeyedContainer() }

    mutating func superEncoder() -> Encoder {
        let path = codingPath + [IndexKey(node.count)]
        return NodeEncoder(node: node.append(), codingPath: path)
    }
}

struct SingleNodeContainer: SingleValueEncodingContainer, PutsValues {
    let node: JSONNode
    let codingPath: [CodingKey]

    func put<T: Encodable>(_ value: T) throws { try node.encode(value, path: codingPath) }

    mutating func encode<T: Encodable>(_ value: T) throws { try put(value) }
    mutating func encodeNil() throws { node.set(.null) }
}

/// The typed `encode` methods of the unkeyed and the single-value container, which are the same.
protocol PutsValues {
    func put<T: Encodable>(_ value: T) throws
}

extension PutsValues {
    mutating func encode(_ value: Bool) throws { try put(value) }
    mutating func encode(_ value: String) throws { try put(value) }
    mutating func encode(_ value: Double) throws { try put(value) }
    mutating func encode(_ value: Float) throws { try put(value) }
    mutating func encode(_ value: Int) throws { try put(value) }
    mutating func encode(_ value: Int8) throws { try put(value) }
    mutating func encode(_ value: Int16) throws { try put(value) }
    mutating func encode(_ value: Int32) throws { try put(value) }
    mutating func encode(_ value: Int64) throws { try put(value) }
    mutating func encode(_ value: UInt) throws { try put(value) }
    mutating func encode(_ value: UInt8) throws { try put(value) }
    mutating func encode(_ value: UInt16) throws { try put(value) }
    mutating func encode(_ value: UInt32) throws { try put(value) }
    mutating func encode(_ value: UInt64) throws { try put(value) }
}

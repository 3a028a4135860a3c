/// One output of a stage as recorded: its bytes' SHA-256 (its name in the store), size,
/// and whether it is volatile (recorded, never compared, never part of a downstream key).
public struct OutputRecord: Sendable, Equatable {
    public let sha256: String
    public let size: Int64
    public let volatile: Bool

    public init(sha256: String, size: Int64, volatile: Bool) {
        self.sha256 = sha256
        self.size = size
        self.volatile = volatile
    }

    var json: JSONValue {
        .object(["sha256": .string(sha256), "size": .int(Int(size)), "volatile": .bool(volatile)])
    }

    init?(json: JSONValue) {
        guard let sha = json["sha256"]?.stringValue, let size = json["size"]?.intValue else { return nil }
        self.init(sha256: sha, size: Int64(size), volatile: json["volatile"]?.boolValue ?? false)
    }

    static func map(_ json: JSONValue?) -> [String: OutputRecord]? {
        guard let object = json?.objectValue else { return nil }
        var outputs: [String: OutputRecord] = [:]
        for (name, value) in object {
            guard let record = OutputRecord(json: value) else { return nil }
            outputs[name] = record
        }
        return outputs
    }
}

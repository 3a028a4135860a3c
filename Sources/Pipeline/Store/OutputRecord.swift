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

    /// True for a volatile output read from a lock file, which does not name its bytes.
    public var isUnknown: Bool { sha256.isEmpty }

    var json: JSONValue {
        .object(["sha256": .string(sha256), "size": .int(Int(size)), "volatile": .bool(volatile)])
    }

    /// In the lock a volatile output is only named: its hash changes every run, and the
    /// lock must be byte-stable. The run record (`cache/runs/<key>.json`) keeps the hash.
    var lockJSON: JSONValue {
        volatile ? .object(["volatile": .bool(true)]) : json
    }

    init?(json: JSONValue) {
        let volatile = json["volatile"]?.boolValue ?? false
        guard let sha = json["sha256"]?.stringValue, let size = json["size"]?.intValue else {
            if volatile { self.init(sha256: "", size: 0, volatile: true); return }
            return nil
        }
        self.init(sha256: sha, size: Int64(size), volatile: volatile)
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

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

    /// Intermediate training states, by convention the outputs named `state.<epoch>`: kept
    /// for `repro audit`, read by no downstream stage. The one place this convention lives:
    /// `repro pull --outputs-only` leaves them out, and a stage whose only missing outputs
    /// are intermediate still counts as done (`RunRecords.valid`, `StageEvaluation`).
    public static func isIntermediate(name: String) -> Bool {
        name.hasPrefix("state.")
    }

    /// True for a volatile output read from a lock file, which does not name its bytes.
    public var isUnknown: Bool { sha256.isEmpty }

    /// In the lock a volatile output is only named: its hash changes every run, and the
    /// lock must be byte-stable. The run record (`cache/runs/<key>.json`) keeps the hash.
    var forLock: OutputRecord {
        volatile ? OutputRecord(sha256: "", size: 0, volatile: true) : self
    }
}

extension OutputRecord: Codable {
    private enum CodingKeys: String, CodingKey { case sha256, size, volatile }

    /// An output without its bytes' name is written, and read back, as `{"volatile": true}`.
    public init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: CodingKeys.self)
        let volatile = try object.decodeIfPresent(Bool.self, forKey: .volatile) ?? false
        if volatile, !object.contains(.sha256) {
            self.init(sha256: "", size: 0, volatile: true)
        } else {
            self.init(
                sha256: try object.decode(String.self, forKey: .sha256),
                size: try object.decode(Int64.self, forKey: .size), volatile: volatile)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var object = encoder.container(keyedBy: CodingKeys.self)
        try object.encode(volatile, forKey: .volatile)
        guard !isUnknown else { return }
        try object.encode(sha256, forKey: .sha256)
        try object.encode(size, forKey: .size)
    }
}

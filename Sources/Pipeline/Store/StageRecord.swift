/// A stage's entry in `artifacts/<profile>.lock`: its key and what went into it, its
/// outputs and its headline metrics.
public struct StageRecord: Sendable, Equatable {
    public let key: String
    public let fingerprint: StageFingerprint
    public let outputs: [String: OutputRecord]
    public let metrics: [String: Metric]

    public init(key: String, fingerprint: StageFingerprint, outputs: [String: OutputRecord], metrics: [String: Metric])
    {
        self.key = key
        self.fingerprint = fingerprint
        self.outputs = outputs
        self.metrics = metrics
    }

    /// The SHA-256 of each non-volatile output: what dependents hash into their keys.
    public var stableOutputs: [String: String] {
        outputs.filter { !$0.value.volatile }.mapValues(\.sha256)
    }

    /// The lock's spelling: volatile outputs without their hash (see `OutputRecord.forLock`).
    var forLock: StageRecord {
        StageRecord(key: key, fingerprint: fingerprint, outputs: outputs.mapValues(\.forLock), metrics: metrics)
    }

    /// This record with the volatile outputs' hashes taken from `complete` (the run record).
    func filling(from complete: @autoclosure () -> StageRecord?) -> StageRecord {
        // the complete record is read only when an output needs it
        guard outputs.values.contains(where: \.isUnknown), let complete = complete(), complete.key == key else {
            return self
        }
        var filled = outputs
        for (name, output) in outputs where output.isUnknown {
            filled[name] = complete.outputs[name] ?? output
        }
        return StageRecord(key: key, fingerprint: fingerprint, outputs: filled, metrics: metrics)
    }
}

/// One object: the fingerprint's fields beside the key, outputs and metrics.
extension StageRecord: Codable {
    private enum CodingKeys: String, CodingKey { case key, outputs, metrics }

    public init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            key: try object.decode(String.self, forKey: .key), fingerprint: try StageFingerprint(from: decoder),
            outputs: try object.decode([String: OutputRecord].self, forKey: .outputs),
            metrics: try object.decodeIfPresent([String: Metric].self, forKey: .metrics) ?? [:])
    }

    public func encode(to encoder: Encoder) throws {
        try fingerprint.encode(to: encoder)
        var object = encoder.container(keyedBy: CodingKeys.self)
        try object.encode(key, forKey: .key)
        try object.encode(outputs, forKey: .outputs)
        try object.encode(metrics, forKey: .metrics)
    }
}

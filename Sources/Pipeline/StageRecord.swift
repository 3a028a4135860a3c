/// A stage's entry in `artifacts/<profile>.lock`: its key and what went into it, its
/// outputs and its headline metrics.
public struct StageRecord: Sendable, Equatable {
    public let key: String
    public let fingerprint: StageFingerprint
    public let outputs: [String: OutputRecord]
    public let metrics: [String: Metric]

    public init(key: String, fingerprint: StageFingerprint, outputs: [String: OutputRecord], metrics: [String: Metric]) {
        self.key = key
        self.fingerprint = fingerprint
        self.outputs = outputs
        self.metrics = metrics
    }

    /// The SHA-256 of each non-volatile output: what dependents hash into their keys.
    public var stableOutputs: [String: String] {
        outputs.filter { !$0.value.volatile }.mapValues(\.sha256)
    }

    var json: JSONValue {
        var object = fingerprint.json.objectValue!
        object["key"] = .string(key)
        object["outputs"] = .object(outputs.mapValues(\.json))
        object["metrics"] = .object(metrics.mapValues(\.json))
        return .object(object)
    }

    init?(json: JSONValue) {
        guard let key = json["key"]?.stringValue, let fingerprint = StageFingerprint(json: json),
              let outputs = OutputRecord.map(json["outputs"]) else { return nil }
        self.init(key: key, fingerprint: fingerprint, outputs: outputs,
                  metrics: (json["metrics"]?.objectValue ?? [:]).compactMapValues(Metric.init(json:)))
    }
}

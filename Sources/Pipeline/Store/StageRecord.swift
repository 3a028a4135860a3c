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

    var json: JSONValue { json(outputs: outputs.mapValues(\.json)) }

    /// The lock's spelling: volatile outputs without their hash (see `OutputRecord.lockJSON`).
    var lockJSON: JSONValue { json(outputs: outputs.mapValues(\.lockJSON)) }

    private func json(outputs: [String: JSONValue]) -> JSONValue {
        var object = fingerprint.json.objectValue!
        object["key"] = .string(key)
        object["outputs"] = .object(outputs)
        object["metrics"] = .object(metrics.mapValues(\.json))
        return .object(object)
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

    init?(json: JSONValue) {
        guard let key = json["key"]?.stringValue, let fingerprint = StageFingerprint(json: json),
              let outputs = OutputRecord.map(json["outputs"]) else { return nil }
        self.init(key: key, fingerprint: fingerprint, outputs: outputs,
                  metrics: (json["metrics"]?.objectValue ?? [:]).compactMapValues(Metric.init(json:)))
    }
}

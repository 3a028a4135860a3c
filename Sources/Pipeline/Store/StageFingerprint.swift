import Foundation
import Support

/// Everything a stage's key is computed from: kind, kind version, key-scheme version,
/// key parameters (`ResolvedStage.keyParameters`), the SHA-256 of each non-volatile output of each dependency, and
/// the SHA-256 of declared input files. Depending on upstream output *contents* gives
/// early cutoff: an upstream stage rebuilt to identical bytes invalidates nothing.
public struct StageFingerprint: Sendable, Equatable {
    /// Bump whenever what goes into a key, or how it is encoded, changes.
    /// 2: only the parameters that matter and differ from their defaults (`Parameter`).
    public static let scheme = 2

    public let kind: String
    public let kindVersion: Int
    public let parameters: ResolvedParameters
    /// dependency stage → output name → SHA-256 (non-volatile outputs only).
    public let dependencies: [String: [String: String]]
    /// input path (relative to the pipeline directory) → SHA-256.
    public let inputs: [String: String]

    /// SHA-256 (hex) of the canonical JSON encoding: sorted keys, one spelling per number.
    public var key: String {
        var object = json.objectValue!
        object["scheme"] = .int(StageFingerprint.scheme)
        return FileDigest.sha256(Data(JSONValue.object(object).canonical.utf8))
    }

    var json: JSONValue {
        .object([
            "kind": .string(kind),
            "kindVersion": .int(kindVersion),
            "params": parameters.json,
            "deps": .object(dependencies.mapValues { .object($0.mapValues { .string($0) }) }),
            "inputs": .object(inputs.mapValues { .string($0) }),
        ])
    }

    init(kind: String, kindVersion: Int, parameters: ResolvedParameters, dependencies: [String: [String: String]], inputs: [String: String]) {
        self.kind = kind
        self.kindVersion = kindVersion
        self.parameters = parameters
        self.dependencies = dependencies
        self.inputs = inputs
    }

    init?(json: JSONValue) {
        guard let kind = json["kind"]?.stringValue, let version = json["kindVersion"]?.intValue,
              let params = json["params"]?.objectValue else { return nil }
        var values: [String: ParamValue] = [:]
        for (name, value) in params {
            guard let v = ParamValue(json: value) else { return nil }
            values[name] = v
        }
        var deps: [String: [String: String]] = [:]
        for (stage, outputs) in json["deps"]?.objectValue ?? [:] {
            deps[stage] = (outputs.objectValue ?? [:]).compactMapValues(\.stringValue)
        }
        self.init(kind: kind, kindVersion: version, parameters: ResolvedParameters(values), dependencies: deps,
                  inputs: (json["inputs"]?.objectValue ?? [:]).compactMapValues(\.stringValue))
    }
}

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
        // Encoding cannot fail: the fields are strings, integers and doubles, which the
        // JSON layer takes as they are (a non-finite double too, spelled as before).
        var object = try! JSONValue(encoding: self).objectValue!
        object["scheme"] = .int(StageFingerprint.scheme)
        return FileDigest.sha256(Data(JSONValue.object(object).canonical.utf8))
    }

    init(
        kind: String, kindVersion: Int, parameters: ResolvedParameters, dependencies: [String: [String: String]],
        inputs: [String: String]
    ) {
        self.kind = kind
        self.kindVersion = kindVersion
        self.parameters = parameters
        self.dependencies = dependencies
        self.inputs = inputs
    }
}

extension StageFingerprint: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind, kindVersion, parameters = "params", dependencies = "deps", inputs
    }

    public init(from decoder: Decoder) throws {
        let object = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try object.decode(String.self, forKey: .kind),
            kindVersion: try object.decode(Int.self, forKey: .kindVersion),
            parameters: try object.decode(ResolvedParameters.self, forKey: .parameters),
            dependencies: try object.decodeIfPresent([String: [String: String]].self, forKey: .dependencies)
                ?? [:],
            inputs: try object.decodeIfPresent([String: String].self, forKey: .inputs) ?? [:])
    }
}

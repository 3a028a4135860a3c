/// A stage ready to run: its kind, its parameters after defaults, profile and `--param`,
/// and the stages it reads from.
public struct ResolvedStage: Sendable {
    public let name: String
    public let kind: any StageKind
    public let parameters: ResolvedParameters
    /// Declared order; the key uses them by name, so the order does not matter there.
    public let dependencies: [String]
    public let location: SourceLocation
}

/// A stage ready to run: its kind, its parameters after defaults, profile and `--param`,
/// and the stages it reads from.
public struct ResolvedStage: Sendable {
    public let name: String
    public let kind: any StageKind
    public let parameters: ResolvedParameters
    /// Explicit `deps:` and the stages its stage-typed parameters name, replicas included;
    /// the key uses them by name, so the order does not matter there.
    public let dependencies: [String]
    /// The replicated stages it reads as a whole (a table row over seeds), with their members.
    public let groups: [String: [String]]
    public let location: SourceLocation

    /// What enters the stage key: the parameters that change the result (see `Parameter`).
    public var keyParameters: ResolvedParameters {
        ResolvedParameters(
            parameters.values.filter { name, value in
                kind.parameters.first { $0.name == name }.map { $0.entersKey(value, of: parameters) } ?? true
            })
    }

    /// What a run of the stage sees: the key's parameters, every other one at its default.
    /// A parameter the key leaves out (decay epochs under cosine) must not reach an output,
    /// or stages sharing a key would write different bytes depending on which ran first.
    public var runParameters: ResolvedParameters {
        ResolvedParameters(
            Dictionary(
                uniqueKeysWithValues: parameters.values.map { name, value in
                    guard let declared = kind.parameters.first(where: { $0.name == name }),
                        let fallback = declared.defaultValue,
                        !declared.entersKey(value, of: parameters)
                    else { return (name, value) }
                    return (name, fallback)
                }))
    }

    init(
        name: String, kind: any StageKind, parameters: ResolvedParameters, dependencies: [String],
        groups: [String: [String]] = [:], location: SourceLocation
    ) {
        self.name = name
        self.kind = kind
        self.parameters = parameters
        self.dependencies = dependencies
        self.groups = groups
        self.location = location
    }

    /// The stages `name` stands for: its replicas when it runs once per seed, else itself.
    public func members(of name: String) -> [String] {
        groups[name] ?? [name]
    }
}

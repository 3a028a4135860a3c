/// The stage kinds a pipeline may use, registered by the executable:
/// `StageKindRegistry([CmdKind(), DatasetKind(), TrainKind()])`.
public struct StageKindRegistry: Sendable {
    private let kinds: [String: any StageKind]

    public init(_ kinds: [any StageKind]) {
        var byName: [String: any StageKind] = [:]
        for kind in kinds {
            precondition(byName[kind.name] == nil, "stage kind '\(kind.name)' registered twice")
            byName[kind.name] = kind
        }
        self.kinds = byName
    }

    public func kind(named name: String) -> (any StageKind)? { kinds[name] }

    public var names: [String] { kinds.keys.sorted() }
}

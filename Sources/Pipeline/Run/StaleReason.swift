/// Why a stage must run. `repro status` and `--dry-run` print every reason that applies,
/// not just the first.
public enum StaleReason: Sendable, Equatable, CustomStringConvertible {
    /// The lock has no entry; `cached` when the store already holds a result for the
    /// stage's key (it is reused without running).
    case noRecord(cached: Bool)
    case forced
    case kindChanged(from: String, to: String)
    case kindVersionChanged(from: Int, to: Int)
    case parameterChanged(name: String, from: ParamValue?, to: ParamValue?)
    case dependenciesChanged(from: [String], to: [String])
    case dependencyChanged(String)
    /// The dependency runs first; this stage runs after it unless its outputs come out
    /// identical (early cutoff).
    case dependencyStale(String)
    case inputChanged(String)
    case inputMissing(String)
    case outputMissing(String)
    case outputCorrupted(String)
    /// The outputs are in the store but the key's run record is not: its last run was
    /// killed before it completed (`StageCompletion`).
    case resultIncomplete
    case keySchemeChanged

    public var description: String {
        switch self {
        case .noRecord(let cached):
            return cached
                ? "no record in the lock (a cached result with the same key is reused)" : "no record in the lock"
        case .forced: return "forced"
        case .kindChanged(let from, let to): return "kind changed from \(from) to \(to)"
        case .kindVersionChanged(let from, let to): return "kind version changed from \(from) to \(to)"
        case .parameterChanged(let name, let from?, let to?): return "param \(name) changed from \(from) to \(to)"
        case .parameterChanged(let name, nil, let to?): return "param \(name) added (\(to))"
        case .parameterChanged(let name, let from, nil):
            return "param \(name) removed (was \(from.map(\.description) ?? "unset"))"
        case .dependenciesChanged(let from, let to):
            return "deps changed from [\(from.joined(separator: ", "))] to [\(to.joined(separator: ", "))]"
        case .dependencyChanged(let name): return "dependency \(name) changed"
        case .dependencyStale(let name): return "dependency \(name) is stale (runs first)"
        case .inputChanged(let path): return "input \(path) changed"
        case .inputMissing(let path): return "input \(path) is missing"
        case .outputMissing(let name): return "output \(name) is missing from the cache"
        case .outputCorrupted(let name): return "output \(name) is corrupted in the cache"
        case .resultIncomplete: return "its last run did not complete (no run record in the cache)"
        case .keySchemeChanged: return "key scheme changed"
        }
    }
}

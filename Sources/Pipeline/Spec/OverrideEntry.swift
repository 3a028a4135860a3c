/// One profile entry (`smoke: {"*.epochs": 2}`) or `--param STAGE.KEY=VALUE`, as written.
struct OverrideEntry {
    /// A stage of the file, a replica (`baseline@seed=0`) or a glob over either.
    let pattern: String
    let key: String
    /// The profile entry's place in the file; nil for `--param`.
    let location: SourceLocation?
    /// `--param TEXT`: how a message without a place names the entry.
    let origin: String
    /// The value, typed for a stage of the given kind (throws when the kind has no such
    /// parameter or the value does not fit its type).
    let value: (any StageKind) throws -> ParamValue

    var isPattern: Bool { Glob.isPattern(pattern) }

    /// An error at the entry's place, or prefixed with the `--param` that caused it.
    func error(_ message: String) -> PipelineError {
        location.map { PipelineError.spec($0, message) } ?? PipelineError.badInput("\(origin): \(message)")
    }
}

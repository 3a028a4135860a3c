import Foundation

/// A kind of stage (`cmd`, `dataset`, `train`, …): what parameters it takes and how it
/// produces its outputs. The executable registers kinds with a `StageKindRegistry`.
///
/// Bump `version` whenever a code change alters what the kind produces: it is part of
/// every stage key, so all stages of the kind become stale. `repro verify` catches a
/// forgotten bump.
public protocol StageKind: Sendable {
    /// The name used in pipeline.yaml (`kind: train`).
    var name: String { get }
    /// Part of every stage key of this kind.
    var version: Int { get }
    /// Every parameter the kind accepts, with type and default.
    var parameters: [Parameter] { get }

    /// Files outside the pipeline (relative to the pipeline file's directory) whose
    /// contents a stage reads; their SHA-256 goes into the stage key. Default: none.
    func inputFiles(_ parameters: ResolvedParameters) -> [String]

    /// Checks what declared types cannot (e.g. a list must not be empty); the message
    /// is reported at the stage's place in pipeline.yaml. Default: nothing to check.
    func validate(_ parameters: ResolvedParameters) -> String?

    /// What a stage of this kind asks a cluster for unless pipeline.yaml says otherwise
    /// (`ClusterSpec`): CPUs, memory and time estimated from its parameters; `lookup`
    /// gives another stage's parameters (a training's dataset or teacher). Default: one
    /// CPU and 2 GB, the cluster's default time limit.
    func resources(_ parameters: ResolvedParameters, lookup: (String) -> ResolvedParameters?) -> ResourceRequest

    /// How many cooperating processes (`repro stage --ranks P`, a Slurm job's tasks) one
    /// run of the stage can use; default 1. A training's is its `devices`: each rank
    /// computes a block of the batch's parts.
    func maximumRanks(_ parameters: ResolvedParameters) -> Int

    /// Produces the outputs into `context.outputDirectory`. Throw to fail the stage;
    /// the message is shown with the stage name.
    func run(_ context: StageContext) throws -> StageResult
}

extension StageKind {
    public func inputFiles(_ parameters: ResolvedParameters) -> [String] { [] }
    public func validate(_ parameters: ResolvedParameters) -> String? { nil }
    public func maximumRanks(_ parameters: ResolvedParameters) -> Int { 1 }
    public func resources(_ parameters: ResolvedParameters, lookup: (String) -> ResolvedParameters?) -> ResourceRequest
    {
        ResourceRequest(cpus: 1, memory: "2G")
    }
}

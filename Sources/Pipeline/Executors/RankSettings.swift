import Foundation

/// `--ranks P`: how the local run starts a stage as P cooperating processes.
public struct RankSettings: Sendable {
    /// Processes per stage, at most the stage's own `maximumRanks` (a training's devices).
    public var count: Int
    /// The repro binary the ranks run (the driver's own) and the driver's `--pipeline`,
    /// `--profile` and `--param`, so every rank resolves the same stage and key.
    public var repro: URL
    public var pipelineArguments: [String]
    /// Reruns after the launch failed (a rank died): each continues from the last saved state.
    public var retries = 0

    public init(count: Int, repro: URL, pipelineArguments: [String]) {
        self.count = count
        self.repro = repro
        self.pipelineArguments = pipelineArguments
    }
}

import Foundation
import Tensor

/// Batch-level mixing (RECIPE.md §6.2–6.3). Every batch is paired with its own reverse
/// (image i with image B−1−i) and one λ ~ Beta(α, α) is drawn per batch from
/// `RandomStream(seed:, purpose: "mixup", epoch:, index: batchIndex)`.
public struct MixingConfig: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// No mixing: λ = 1.
        case none
        /// x̂_i = λ·x_i + (1 − λ)·x_{B−1−i}.
        case interpolation
        /// Width axis: columns [0, P) from x_i, [P, 32) from x_{B−1−i}; P = floor(λ·32).
        case stitchHorizontal = "stitch-horizontal"
        /// Height axis: rows [0, P) from x_i, [P, 32) from x_{B−1−i}.
        case stitchVertical = "stitch-vertical"
    }

    public var kind: Kind
    public var alpha: Double
    /// Stitching only: weight the labels by the pixel fraction P/32 instead of λ.
    public var exactFraction: Bool
    /// No mixing during epochs 0 ..< offFirstEpochs (paper §III-A: "mixup turned off for the first 20 epochs").
    public var offFirstEpochs: Int
    /// No mixing during the last `offLastEpochs` of `totalEpochs` (GluonCV's `mixup_off_epoch`).
    public var offLastEpochs: Int
    public var totalEpochs: Int

    public init(
        kind: Kind = .none, alpha: Double = 0.2, exactFraction: Bool = false,
        offFirstEpochs: Int = 0, offLastEpochs: Int = 0, totalEpochs: Int = 0
    ) {
        check(
            alpha > 0 && offFirstEpochs >= 0 && offLastEpochs >= 0,
            "mixing: alpha \(alpha) must be positive, off epochs \(offFirstEpochs) and \(offLastEpochs) not negative")
        self.kind = kind
        self.alpha = alpha
        self.exactFraction = exactFraction
        self.offFirstEpochs = offFirstEpochs
        self.offLastEpochs = offLastEpochs
        self.totalEpochs = totalEpochs
    }

    public static let none = MixingConfig()

    /// Whether batches of `epoch` (0-based) are mixed.
    public func mixes(epoch: Int) -> Bool {
        kind != .none && epoch >= offFirstEpochs && !(offLastEpochs > 0 && epoch >= totalEpochs - offLastEpochs)
    }
}

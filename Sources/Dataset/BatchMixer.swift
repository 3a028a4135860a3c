import Foundation
import Tensor

/// Mixes a batch of normalized images in place (pairs i and B−1−i, one λ per batch) and
/// returns the weight of each image's own label. Mixing normalized images equals mixing
/// raw ones (the normalization is affine), so it runs after augmentation.
public struct BatchMixer: Sendable {
    public let config: MixingConfig
    public let seed: UInt64
    static let side = CIFAR100.side

    public init(config: MixingConfig, seed: UInt64) {
        self.config = config
        self.seed = seed
    }

    /// λ for batch `batchIndex` of `epoch`; 1 when mixing is off for that epoch.
    public func lambda(epoch: Int, batchIndex: Int) -> Double {
        guard config.mixes(epoch: epoch) else { return 1 }
        var random = RandomStream(seed: seed, purpose: "mixup", epoch: epoch, index: batchIndex)
        return random.beta(config.alpha, config.alpha)
    }

    /// The stitch boundary P = floor(λ·32) (Python's `int(lam * 32)`).
    public static func boundary(lambda: Double) -> Int {
        min(max(Int((lambda * Double(side)).rounded(.down)), 0), side)
    }

    /// Mixes `count` images of 3×32×32 floats at `images`; returns the label weight
    /// (λ, or P/32 for stitching with `exactFraction`; 1 when nothing was mixed). With
    /// `only`, just the pairs with an image in those rows (a data-parallel rank's).
    @discardableResult
    public func mix(
        _ images: UnsafeMutablePointer<Float>, count: Int, epoch: Int, batchIndex: Int, only rows: Range<Int>? = nil
    ) -> Float {
        let lambda = lambda(epoch: epoch, batchIndex: batchIndex)
        guard config.mixes(epoch: epoch) else { return 1 }
        let imageFloats = 3 * BatchMixer.side * BatchMixer.side
        let boundary = BatchMixer.boundary(lambda: lambda)
        // Pairs (i, j = B−1−i) with i < j are disjoint, so each pair is mixed in place
        // from its two originals; an odd batch's middle image pairs with itself (unchanged).
        for i in 0..<count / 2 where rows.map({ $0.contains(i) || $0.contains(count - 1 - i) }) ?? true {
            let a = images + i * imageFloats, b = images + (count - 1 - i) * imageFloats
            switch config.kind {
            case .none:
                break
            case .interpolation:
                let l = Float(lambda), m = 1 - Float(lambda)
                for k in 0..<imageFloats {
                    let x = a[k], y = b[k]
                    a[k] = l * x + m * y
                    b[k] = l * y + m * x
                }
            case .stitchHorizontal:
                swapColumns(a, b, from: boundary)
            case .stitchVertical:
                swapRows(a, b, from: boundary)
            }
        }
        if config.kind != .interpolation && config.exactFraction { return Float(boundary) / Float(BatchMixer.side) }
        return Float(lambda)
    }

    /// After the swap, a keeps its columns [0, P) and has b's [P, 32), and vice versa.
    private func swapColumns(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, from p: Int) {
        let side = BatchMixer.side
        for line in 0..<3 * side {
            for column in p..<side { swap(&a[line * side + column], &b[line * side + column]) }
        }
    }

    private func swapRows(_ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, from p: Int) {
        let side = BatchMixer.side
        for c in 0..<3 {
            for k in (c * side + p) * side..<(c + 1) * side * side { swap(&a[k], &b[k]) }
        }
    }
}

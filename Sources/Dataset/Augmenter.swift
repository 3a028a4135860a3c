import Foundation
import Tensor

/// The random choices for one image, drawn in a fixed order from
/// `RandomStream(seed:, purpose: "augment", epoch:, index: imageIndex)`: flip, the jitter
/// order and factors, the lighting coefficients, the crop offsets. An image's augmentation
/// therefore depends on (seed, epoch, image index) only: not on batch size or threads.
public struct AugmentationDraws: Equatable, Sendable {
    public var flip = false
    /// The enabled jitter operations in the order they apply (`ColorJitter.Operation` raw
    /// values; the first `jitterCount` lanes) and their factors (brightness, contrast,
    /// saturation: the multiplier a; hue: the shift in turns). SIMD lanes instead of arrays:
    /// drawing allocates nothing.
    public var jitterCount = 0
    public var jitterOperations = SIMD4<Int32>()
    public var jitterFactors = SIMD4<Float>()
    public var lightingAlpha: SIMD3<Float>? = nil
    /// Top-left corner of the 32×32 window in the padded image: column, row (0…2·pad).
    public var cropColumn = 0
    public var cropRow = 0

    public init() {}

    /// The jitter steps as a list (for reading; the hot path uses the lanes).
    public var jitter: [(operation: ColorJitter.Operation, factor: Float)] {
        (0..<jitterCount).map { (ColorJitter.Operation(rawValue: Int(jitterOperations[$0]))!, jitterFactors[$0]) }
    }

    mutating func appendJitter(_ operation: ColorJitter.Operation, _ factor: Float) {
        jitterOperations[jitterCount] = Int32(operation.rawValue)
        jitterFactors[jitterCount] = factor
        jitterCount += 1
    }
}

/// Applies `AugmentationConfig` to CIFAR images (uint8, 3×32×32 planar), writing
/// normalized float images.
public struct Augmenter: Sendable {
    public let config: AugmentationConfig
    public let seed: UInt64
    static let side = CIFAR100.side
    /// Floats of scratch space `apply` needs.
    public static let scratchCount = CIFAR100.imageBytes

    public init(config: AugmentationConfig, seed: UInt64) {
        self.config = config
        self.seed = seed
    }

    public func draws(epoch: Int, index: Int) -> AugmentationDraws {
        var random = RandomStream(seed: seed, purpose: "augment", epoch: epoch, index: index)
        var draws = AugmentationDraws()
        if config.flip { draws.flip = random.uniform() < 0.5 }
        if config.jitters {
            // MXNet shuffles all four operations and applies the enabled ones in that order.
            // Fisher–Yates as `RandomStream.permutation(4)` draws it, without the array.
            var order = SIMD4<Int32>(0, 1, 2, 3)
            for i in stride(from: 3, to: 0, by: -1) {
                let j = random.below(i + 1)
                (order[i], order[j]) = (order[j], order[i])
            }
            for k in 0..<4 {
                let operation = ColorJitter.Operation(rawValue: Int(order[k]))!
                switch operation {
                case .brightness where config.brightness > 0:
                    draws.appendJitter(operation, random.uniform(1 - config.brightness, 1 + config.brightness))
                case .contrast where config.contrast > 0:
                    draws.appendJitter(operation, random.uniform(1 - config.contrast, 1 + config.contrast))
                case .saturation where config.saturation > 0:
                    draws.appendJitter(operation, random.uniform(1 - config.saturation, 1 + config.saturation))
                case .hue where config.hue > 0:
                    draws.appendJitter(operation, random.uniform(-config.hue, config.hue))
                default:
                    break
                }
            }
        }
        if config.lightingStd > 0 {
            var alpha = SIMD3<Float>()
            for j in 0..<3 { alpha[j] = Float(random.normal()) * config.lightingStd }
            draws.lightingAlpha = alpha
        }
        if config.pad > 0 {
            draws.cropColumn = random.below(2 * config.pad + 1)
            draws.cropRow = random.below(2 * config.pad + 1)
        }
        return draws
    }

    /// Augments image `index` (of `epoch`) from `source` (3×32×32 bytes) into `output`
    /// (3×32×32 floats), using `scratch` (`scratchCount` floats).
    public func augment(
        _ source: UnsafePointer<UInt8>, epoch: Int, index: Int,
        into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        apply(draws(epoch: epoch, index: index), to: source, into: output, scratch: scratch)
    }

    /// Convenience for one image of a split: returns its 3×32×32 floats.
    public func augment(_ split: CIFARSplit, index: Int, epoch: Int) -> [Float] {
        var output = [Float](repeating: 0, count: CIFAR100.imageBytes)
        var scratch = [Float](repeating: 0, count: Augmenter.scratchCount)
        split.images.withUnsafeBufferPointer { images in
            augment(
                images.baseAddress! + index * CIFAR100.imageBytes, epoch: epoch, index: index,
                into: &output, scratch: &scratch)
        }
        return output
    }

    /// The pipeline for given draws: flip while converting to float, jitter, lighting,
    /// then pad + crop fused with the normalization (padding is 0 before normalizing).
    public func apply(
        _ draws: AugmentationDraws, to source: UnsafePointer<UInt8>,
        into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let side = Augmenter.side, plane = side * side
        for c in 0..<3 {
            for row in 0..<side {
                let from = source + c * plane + row * side, to = scratch + c * plane + row * side
                if draws.flip {
                    for column in 0..<side { to[column] = Float(from[side - 1 - column]) }
                } else {
                    for column in 0..<side { to[column] = Float(from[column]) }
                }
            }
        }
        let image = UnsafeMutableBufferPointer(start: scratch, count: 3 * plane)
        let truncate = config.truncateToIntegers
        for k in 0..<draws.jitterCount {
            let factor = draws.jitterFactors[k]
            switch ColorJitter.Operation(rawValue: Int(draws.jitterOperations[k]))! {
            case .brightness: ColorJitter.brightness(image, factor: factor, truncate: truncate)
            case .contrast: ColorJitter.contrast(image, factor: factor, truncate: truncate)
            case .saturation:
                ColorJitter.saturation(image, factor: factor, mxnetBug: config.mxnetSaturationBug, truncate: truncate)
            case .hue: ColorJitter.hue(image, shift: factor, truncate: truncate)
            }
        }
        if let alpha = draws.lightingAlpha { PCALighting.apply(image, alpha: alpha, truncate: truncate) }
        // Output (row, column) is padded pixel (row + cropRow, column + cropColumn),
        // i.e. source pixel (row + cropRow − pad, column + cropColumn − pad) or padding.
        let pad = config.pad
        for c in 0..<3 {
            let mean = config.mean[c], std = config.std[c]
            let padding = (0 - mean) / std
            for row in 0..<side {
                let sourceRow = row + draws.cropRow - pad
                let to = output + c * plane + row * side
                guard sourceRow >= 0 && sourceRow < side else {
                    for column in 0..<side { to[column] = padding }
                    continue
                }
                let from = scratch + c * plane + sourceRow * side
                for column in 0..<side {
                    let sourceColumn = column + draws.cropColumn - pad
                    to[column] =
                        sourceColumn >= 0 && sourceColumn < side ? (from[sourceColumn] / 255 - mean) / std : padding
                }
            }
        }
    }
}

import Foundation
import Tensor

/// The per-image augmentation of RECIPE.md §2.2, in its order: horizontal flip, colour
/// jitter, PCA lighting, zero-pad and random crop, then to float (/255) and normalize.
/// Jitter and lighting work on the 0–255 scale and clamp after every operation.
public struct AugmentationConfig: Equatable, Sendable {
    /// Mirror left↔right with probability 1/2.
    public var flip: Bool
    /// Jitter amounts: each factor is drawn from U(1 − amount, 1 + amount); 0 disables.
    public var brightness: Float
    public var contrast: Float
    public var saturation: Float
    /// Hue shift amount h: the hue moves by d·360° with d ~ U(−h, h); 0 disables (default).
    public var hue: Float
    /// Emulate MXNet's saturation kernel, which uses 0.114·B as the grey value instead of
    /// the luma 0.299R + 0.587G + 0.114B (RECIPE.md §2.2 [DIFF]).
    public var mxnetSaturationBug: Bool
    /// Truncate toward zero after each clamp, as MXNet's uint8 arithmetic does (optional).
    public var truncateToIntegers: Bool
    /// Standard deviation of the AlexNet-style PCA lighting coefficients; 0 disables.
    public var lightingStd: Float
    /// Zero padding on every side before the random crop back to 32×32; 0 disables the crop.
    public var pad: Int
    /// Per-channel normalization (R, G, B) applied after dividing by 255.
    public var mean: [Float]
    public var std: [Float]

    public init(
        flip: Bool = true, brightness: Float = 0.4, contrast: Float = 0.4, saturation: Float = 0.4,
        hue: Float = 0, mxnetSaturationBug: Bool = false, truncateToIntegers: Bool = false,
        lightingStd: Float = 0.1, pad: Int = 4,
        mean: [Float] = AugmentationConfig.paperMean, std: [Float] = AugmentationConfig.paperStd
    ) {
        check(
            mean.count == 3 && std.count == 3 && pad >= 0,
            "augmentation: mean \(mean) and std \(std) need 3 channels each, pad \(pad) ≥ 0")
        self.flip = flip
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = hue
        self.mxnetSaturationBug = mxnetSaturationBug
        self.truncateToIntegers = truncateToIntegers
        self.lightingStd = lightingStd
        self.pad = pad
        self.mean = mean
        self.std = std
    }

    /// ImageNet statistics, as the paper uses.
    public static let paperMean: [Float] = [0.485, 0.456, 0.406]
    public static let paperStd: [Float] = [0.229, 0.224, 0.225]

    /// The default training pipeline (GluonCV's ImageNet jitter amounts, the paper's order).
    public static let training = AugmentationConfig()

    /// Test time: to float and normalize only.
    public static let evaluation = AugmentationConfig(
        flip: false, brightness: 0, contrast: 0, saturation: 0,
        hue: 0, lightingStd: 0, pad: 0)

    var jitters: Bool { brightness > 0 || contrast > 0 || saturation > 0 || hue > 0 }
}

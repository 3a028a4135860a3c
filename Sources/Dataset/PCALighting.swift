import Foundation

/// AlexNet-style PCA lighting noise (MXNet `RandomLighting`, GluonCV `random_pca_lighting`):
/// channel c gets the offset Σ_j V[c][j]·λ_j·α_j, with α_j ~ N(0, std²) drawn per image,
/// on the 0–255 scale, then a clamp to [0, 255].
public enum PCALighting {
    /// Eigenvalues of the ImageNet RGB covariance (0–255 scale).
    public static let eigenvalues: [Float] = [55.46, 4.794, 1.148]
    /// Eigenvectors as columns; rows are R, G, B.
    public static let eigenvectors: [[Float]] = [
        [-0.5675, 0.7192, 0.4009],
        [-0.5808, -0.0045, -0.8140],
        [-0.5836, -0.6948, 0.4203],
    ]

    /// The per-channel offsets for coefficients α.
    public static func offsets(alpha: SIMD3<Float>) -> SIMD3<Float> {
        var shift = SIMD3<Float>()
        for c in 0..<3 {
            for j in 0..<3 { shift[c] += eigenvectors[c][j] * eigenvalues[j] * alpha[j] }
        }
        return shift
    }

    public static func apply(_ image: UnsafeMutableBufferPointer<Float>, alpha: SIMD3<Float>, truncate: Bool = false) {
        let n = image.count / 3
        let shift = offsets(alpha: alpha)
        for c in 0..<3 {
            for p in 0..<n { image[c * n + p] += shift[c] }
        }
        ColorJitter.clamp(image, truncate: truncate)
    }
}

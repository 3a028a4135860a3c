/// Global average pooling: (N, C, H, W) → (N, C).
public enum GlobalAvgPool {
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, plane: Int) {
        let scale = 1 / Float(plane)
        for r in 0..<rows { out[r] = BatchNorm.planeSum(x + r * plane, plane) * scale }
    }

    /// dx (written) = dOut / (H·W), broadcast over each plane.
    public static func backward(dx: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>, rows: Int, plane: Int) {
        let scale = 1 / Float(plane)
        for r in 0..<rows { (dx + r * plane).update(repeating: dOut[r] * scale, count: plane) }
    }
}

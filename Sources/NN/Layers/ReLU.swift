/// ReLU on its own (most ReLUs are fused into `BatchNorm`, with the residual join).
public enum ReLU {
    /// y = max(x, 0); y may be x.
    public static func forward(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = max(x[i], 0) }
    }

    /// dx = dy where the output y is positive, else 0.
    public static func backward(
        dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>,
        output y: UnsafePointer<Float>, count: Int
    ) {
        for i in 0..<count { dx[i] = y[i] > 0 ? dy[i] : 0 }
    }
}

import Tensor

/// Fully connected layer with bias: out (N, K) = x (N, C) · wᵀ + b, w (K, C).
public enum Dense {
    public static func forward(
        _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
        batch: Int, inputs: Int, outputs: Int
    ) {
        BLAS.gemm(
            transB: true, m: batch, n: outputs, k: inputs, a: x, lda: inputs, b: w, ldb: inputs,
            beta: 0, c: out, ldc: outputs)
        for n in 0..<batch {
            for k in 0..<outputs { out[n * outputs + k] += bias[k] }
        }
    }

    /// dw += dOutᵀ·x, db += Σₙ dOut, and dx (written, when given) = dOut·w.
    public static func backward(
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
        dBias: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
        batch: Int, inputs: Int, outputs: Int
    ) {
        BLAS.gemm(
            transA: true, m: outputs, n: inputs, k: batch, a: dOut, lda: outputs, b: x, ldb: inputs,
            beta: 1, c: dw, ldc: inputs)
        for n in 0..<batch {
            for k in 0..<outputs { dBias[k] += dOut[n * outputs + k] }
        }
        if let dx {
            BLAS.gemm(
                m: batch, n: inputs, k: outputs, a: dOut, lda: outputs, b: w, ldb: inputs,
                beta: 0, c: dx, ldc: inputs)
        }
    }
}

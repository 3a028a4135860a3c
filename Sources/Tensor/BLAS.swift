import COpenBLAS

/// The one file that talks to CBLAS: row-major single-precision GEMM.
///
/// Debian's OpenBLAS 0.3.21 does not split the K dimension, and it runs on one thread
/// here (`Parallel.setThreads`), so each call is a fixed sequence of float operations.
public enum BLAS {
    /// C (m×n) = alpha · op(A) · op(B) + beta · C, row-major, with op(A) m×k and op(B) k×n.
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// OpenBLAS's build configuration and the core type its kernels were chosen for.
    public static var configuration: String { String(cString: openblas_get_config()) }
    public static var coreName: String { String(cString: openblas_get_corename()) }
}

import COpenBLAS

#if canImport(Glibc)
    import Glibc
#endif

/// The one file that talks to CBLAS: row-major single-precision GEMM.
///
/// Debian's OpenBLAS 0.3.21 does not split the K dimension, and it runs on one thread
/// here (`Parallel.pinBLAS`), so each call is a fixed sequence of float operations.
public enum BLAS {
    /// C (m×n) = alpha · op(A) · op(B) + beta · C, row-major, with op(A) m×k and op(B) k×n.
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The OpenBLAS core whose kernels every GEMM uses, in AVX2 and AVX-512 builds alike:
    /// its SkylakeX kernels run ResNeXt's wide products ~1.3–1.6x faster on Xeons but give
    /// other bits, which would make the results depend on the build machine.
    public static let pinnedCore = "Haswell"

    /// Selects OpenBLAS's Haswell kernels (AVX2 + FMA) whatever the host CPU, so GEMM
    /// results do not change from host to host. GEMM serves the classifier (`Dense`); the
    /// convolutions are our own kernels (`Conv3x3`, `PanelProduct`).
    ///
    /// A DYNAMIC_ARCH OpenBLAS picks its kernels once, at load time, from the CPU model
    /// or from OPENBLAS_CORETYPE. 0.3.21 does not know recent Xeons and falls back to
    /// SSE3 "Prescott" kernels (4x slower here), and the choice changes float results
    /// from host to host. Its exported `gotoblas_dynamic_quit`/`gotoblas_dynamic_init`
    /// redo the choice; this runs them once, before the first GEMM, with the core type set.
    /// Without those symbols (a single-architecture build) nothing changes.
    static let pinCore: Void = {
        #if canImport(Glibc)
            guard let quit = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_quit"),
                let initialize = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "gotoblas_dynamic_init")
            else { return }
            typealias Entry = @convention(c) () -> Void
            setenv("OPENBLAS_CORETYPE", pinnedCore, 1)
            unsafeBitCast(quit, to: Entry.self)()
            unsafeBitCast(initialize, to: Entry.self)()
        #endif
    }()

    /// OpenBLAS's build configuration and the core type its kernels were chosen for, read
    /// once, after `pinCore`. openblas_get_config() rebuilds its answer in one static buffer
    /// on every call, so two runs asking at once (`-j 2` trains two models in one process)
    /// could read it half written: a checkpoint once recorded the configuration without its
    /// " MAX_THREADS=64", and its bytes differed from the lock's.
    public static let configuration: String = {
        pinCore; return String(cString: openblas_get_config())
    }()
    public static let coreName: String = {
        pinCore; return String(cString: openblas_get_corename())
    }()
}

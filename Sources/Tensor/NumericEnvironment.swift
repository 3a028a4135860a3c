/// What the float results depend on besides the inputs: recorded in locks and checkpoints,
/// because bitwise equality is only promised within one environment.
///
/// The ISA the kernels are compiled for is not part of it. Package.swift compiles them for
/// AVX-512 where the build machine has it and for AVX2 + FMA elsewhere, and both builds give
/// the same bits: every product goes through an explicit FMA (`addProduct`) in both, the
/// register tiles that differ (`Conv3x3.wideRegisters`) add the same products in the same
/// order, and OpenBLAS (the classifier's products) runs its Haswell kernels in both
/// (`BLAS.pinnedCore`). NNTests checks
/// the tiles against each other; the smoke lock, made by one build, is checked by the other
/// wherever CI's machine differs.
public struct NumericEnvironment: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The arithmetic the kernels promise, whichever ISA they were compiled for.
    public var kernelISA = "x86-64 FMA (AVX2 or AVX-512 build: same bits)"
    public var openBLAS: String
    public var openBLASCore: String
    /// Chunking is fixed, so the worker count does not enter the results; OpenBLAS runs on one thread.
    public var threadPolicy = "fixed chunks; OpenBLAS 1 thread"
    public var swift: String

    #if REPRO_AVX512
        /// The ISA this binary's kernels use (Package.swift): speed only, not results.
        public static let compiledISA = "x86-64 skylake-avx512 (AVX-512, FMA)"
        /// The /proc/cpuinfo flags the kernels need.
        public static let requiredCPUFlags = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "fma"]
    #else
        public static let compiledISA = "x86-64 haswell (AVX2, FMA)"
        public static let requiredCPUFlags = ["avx", "avx2", "fma"]
    #endif

    public static var current: NumericEnvironment {
        #if compiler(>=6.4)
            let swift = "6.4 or later"
        #elseif compiler(>=6.3)
            let swift = "6.3"
        #else
            let swift = "before 6.3"
        #endif
        BLAS.pinCore
        return NumericEnvironment(openBLAS: BLAS.configuration, openBLASCore: BLAS.coreName, swift: swift)
    }

    public var description: String {
        "kernels \(kernelISA); OpenBLAS \(openBLAS) core \(openBLASCore); \(threadPolicy); Swift \(swift)"
    }
}

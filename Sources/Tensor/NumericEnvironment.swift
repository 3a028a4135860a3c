/// What the float results depend on besides the inputs: recorded in locks and checkpoints,
/// because bitwise equality is only promised within one environment.
public struct NumericEnvironment: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The ISA the kernels are compiled for (Package.swift: -target-cpu haswell, or
    /// skylake-avx512 with REPRO_ISA=avx512).
    public var kernelISA = NumericEnvironment.compiledISA

    #if REPRO_AVX512
    public static let compiledISA = "x86-64 skylake-avx512 (AVX-512, FMA)"
    /// The /proc/cpuinfo flags the kernels need.
    public static let requiredCPUFlags = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "fma"]
    #else
    public static let compiledISA = "x86-64 haswell (AVX2, FMA)"
    public static let requiredCPUFlags = ["avx", "avx2", "fma"]
    #endif
    public var openBLAS: String
    public var openBLASCore: String
    /// Chunking is fixed, so the worker count does not enter the results; OpenBLAS runs on one thread.
    public var threadPolicy = "fixed chunks; OpenBLAS 1 thread"
    public var swift: String

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

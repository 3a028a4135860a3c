/// What the float results depend on besides the inputs: recorded in locks and checkpoints,
/// because bitwise equality is only promised within one environment.
public struct NumericEnvironment: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The ISA the kernels are compiled for (Package.swift: -target-cpu skylake-avx512).
    public var kernelISA = "x86-64 skylake-avx512 (AVX-512, FMA)"
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

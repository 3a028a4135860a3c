import Foundation

/// The kernels are compiled for AVX-512 (Package.swift); on a CPU without it they would
/// die of an illegal instruction at the first convolution. This file is compiled for the
/// baseline ISA, so `repro` can look first and say what is wrong instead.
enum CPUCheck {
    static let required = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "fma"]

    /// The CPU description read; `REPRO_CPUINFO` names another file in its format, so the
    /// refusal can be exercised on a machine that has the flags (the fault catalogue does).
    static var cpuinfo: String { ProcessInfo.processInfo.environment["REPRO_CPUINFO"] ?? "/proc/cpuinfo" }

    /// The flags the kernels need that the CPU description does not list; empty where
    /// there is none to read (the check then stays out of the way).
    static func missingFlags() -> [String] {
        guard let info = try? String(contentsOfFile: cpuinfo, encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        let flags = Set(line.split(separator: " ").map(String.init))
        return required.filter { !flags.contains($0) }
    }

    static func verify() throws {
        let missing = missingFlags()
        guard !missing.isEmpty else { return }
        throw Failure.badInput("""
            this CPU lacks \(missing.joined(separator: ", ")), which repro's kernels are compiled for \
            (Package.swift: -target-cpu skylake-avx512; OpenBLAS's SkylakeX kernels). Run on an AVX-512 \
            machine, or set kernelFlags in Package.swift to "-target-cpu", "haswell" and BLAS.pinnedCore to \
            "Haswell", then rebuild (results then belong to another numeric environment).
            """)
    }
}

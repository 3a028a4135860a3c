import Foundation
import Tensor

/// The kernels are compiled for one ISA (Package.swift: the build machine's, AVX-512 or
/// AVX2 + FMA); on a CPU without it (a binary built elsewhere) they would die of an illegal instruction at the first
/// convolution. This file
/// is compiled for the baseline ISA, so `repro` can look first and say what is wrong instead.
enum CPUCheck {
    static let required = NumericEnvironment.requiredCPUFlags

    /// The CPU description read; `REPRO_CPUINFO` names another file in its format, so the
    /// refusal can be exercised on a machine that has the flags (the fault catalogue does).
    static var cpuinfo: String { ProcessInfo.processInfo.environment["REPRO_CPUINFO"] ?? "/proc/cpuinfo" }

    /// The flags the kernels need that the CPU description does not list; empty where
    /// there is none to read (the check then stays out of the way).
    static func missingFlags() -> [String] {
        guard let info = try? String(contentsOfFile: cpuinfo, encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return [] }
        let flags = Set(line.split(separator: " ").map(String.init))
        return required.filter { !flags.contains($0) }
    }

    static func verify() throws {
        let missing = missingFlags()
        guard !missing.isEmpty else { return }
        throw Failure.badInput(
            """
            this CPU lacks \(missing.joined(separator: ", ")), which repro's kernels are compiled for \
            (\(NumericEnvironment.compiledISA)). Rebuild on this machine, or for AVX2 + FMA anywhere: \
            `REPRO_ISA=avx2 swift build -c release` (the results are the same bits).
            """)
    }
}

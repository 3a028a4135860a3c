// swift-tools-version:6.0
import Foundation
import PackageDescription

// The kernels' ISA follows the build machine: AVX-512 where its /proc/cpuinfo lists it (32
// vector registers of 16 floats, which the direct convolution keeps its accumulators in),
// AVX2 + FMA (haswell) elsewhere, AMD EPYC included. Both builds give the same bits
// (Tensor/NumericEnvironment.swift says why, NNTests checks it), so the committed smoke
// lock reproduces on either: the choice is one of speed. REPRO_ISA=avx2 or avx512
// overrides it, e.g. on a login node with AVX-512 building for compute nodes without.
// `repro` checks the CPU before the first kernel runs (repro/CPUCheck.swift).
func buildMachineHasAVX512() -> Bool {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return false }
    let flags = Set(line.split(separator: " ").map(String.init))
    return ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "fma"].allSatisfy(flags.contains)
}
let requestedISA = ProcessInfo.processInfo.environment["REPRO_ISA"]
let avx512 = requestedISA.map { $0 == "avx512" } ?? buildMachineHasAVX512()
let isaFlags: [SwiftSetting] = avx512 ? [.define("REPRO_AVX512")] : []
let kernelFlags: [SwiftSetting] =
    isaFlags + [.unsafeFlags(["-Ounchecked", "-target-cpu", avx512 ? "skylake-avx512" : "haswell"])]

let package = Package(
    name: "repro",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "repro", targets: ["repro"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries, linked through system-library targets.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Open MPI (Debian's libopenmpi-dev), with a shim for the handles that are macros.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c"),
        // Header only: software prefetch for the kernels (NN/Kernels/Vectors.swift).
        .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),

        // Durable local files: atomic write, file locks, digests (DESIGN.md, "Modules").
        .target(name: "Support", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),

        // Kernels share raw buffers across threads; see the comment in Tensor/Parallel.swift.
        .target(
            name: "Tensor", dependencies: ["COpenBLAS"],
            swiftSettings: kernelFlags + [.swiftLanguageMode(.v5)]),
        .target(
            name: "NN", dependencies: ["Tensor", "CPrefetch"],
            swiftSettings: kernelFlags + [.swiftLanguageMode(.v5)]),
        // libhdf5's type and class identifiers are C globals, which Swift 6 counts as shared
        // mutable state; every access is serialized by H5Library's lock.
        .target(name: "HDF5", dependencies: ["CHDF5", "CZstd"], swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(
            name: "Dataset",
            dependencies: [
                "Support", "Tensor", "HDF5", "CZlib", .product(name: "Crypto", package: "swift-crypto"),
            ], swiftSettings: kernelFlags + [.swiftLanguageMode(.v5)]),
        // The engine against golden/ reference vectors (repro parity, NNTests); NN itself stays free of HDF5.
        .target(
            name: "Parity", dependencies: ["Support", "Tensor", "NN", "HDF5"],
            swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(
            name: "Training", dependencies: ["Support", "Tensor", "NN", "HDF5", "Dataset"],
            swiftSettings: [.swiftLanguageMode(.v5)]),
        // The processes of a data-parallel run (mpirun, srun) as NN's Collective, over MPI.
        .target(name: "Ranks", dependencies: ["CMPI", "NN"], swiftSettings: [.swiftLanguageMode(.v5)]),
        .target(name: "Pipeline", dependencies: ["Support", "Yams"]),
        // Report reads the paper file itself (Report/Paper.swift says why); it knows no Pipeline.
        .target(name: "Report", dependencies: ["Yams"]),
        .executableTarget(
            name: "repro",
            dependencies: [
                "Support", "Tensor", "NN", "Parity", "HDF5", "Dataset", "Training", "Pipeline", "Report", "Ranks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ], swiftSettings: [.swiftLanguageMode(.v5)]),

        // What the test targets share: child processes (repro and others), scratch
        // directories, relmax, golden text files and the one-node Slurm cluster.
        .target(name: "TestSupport", dependencies: ["Parity"], path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["Support", "TestSupport"]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "TestSupport"]),
        .testTarget(
            name: "DatasetTests", dependencies: ["Dataset", "HDF5", "Tensor", "TestSupport"],
            swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(
            name: "NNTests", dependencies: ["NN", "Tensor", "HDF5", "Parity", "TestSupport"], exclude: ["Golden"],
            resources: [.copy("Fixtures")]),
        // Tests that run `repro` find it beside their bundle: `swift test` builds every target.
        .testTarget(
            name: "PipelineTests", dependencies: ["Support", "Pipeline", "HDF5", "TestSupport"],
            exclude: ["Fixtures", "bench-pipeline.sh"]),
        .testTarget(name: "StoreTests", dependencies: ["Support", "Pipeline", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "TestSupport"]),
        .testTarget(
            name: "ReproTests", dependencies: ["Support", "Pipeline", "Dataset", "TestSupport"],
            exclude: ["Fixtures", "Golden"]),
        .testTarget(
            name: "TrainingTests", dependencies: ["Support", "Training", "Dataset", "NN", "Report", "TestSupport"],
            swiftSettings: [.swiftLanguageMode(.v5)]),
    ]
)

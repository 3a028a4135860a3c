import Foundation
import Pipeline
import Tensor

/// What the executable plugs into the generic pipeline runner: its stage kinds (one line
/// per kind), how `verify` compares outputs of the formats it writes, and the numeric
/// environment recorded in every lock.
enum PipelineSetup {
    static let registry = StageKindRegistry([
        CmdKind(), DatasetKind(), TrainKind(), EvaluateKind(), TableKind(), ReportKind(),
    ])

    static let comparers = OutputComparers([HDF5OutputComparer()])

    static var environment: [String: String] {
        let current = NumericEnvironment.current
        return [
            "kernels": current.kernelISA,
            "openblas": current.openBLAS,
            "openblasCore": current.openBLASCore,
            "threadPolicy": current.threadPolicy,
            "swift": current.swift,
        ]
    }
}

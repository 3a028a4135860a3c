import Foundation
import Pipeline
import Tensor

/// What the executable plugs into the generic pipeline runner: its stage kinds (one line
/// per kind) and the numeric environment recorded in every lock.
enum PipelineSetup {
    static let registry = StageKindRegistry([
        CmdKind(), DatasetKind(), TrainKind(), EvaluateKind(), TableKind(), ReportKind(),
    ])

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

    /// Runs `body`, turning the pipeline's and the store's errors into the contract's exit
    /// codes: 2 for bad input (pipeline file, parameters, names), 1 for a failure.
    static func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PipelineError {
            throw error.isBadInput ? Failure.badInput(error.description) : Failure.failed(error.description)
        } catch let error as StoreError {
            throw Failure.failed(error.description)
        }
    }
}

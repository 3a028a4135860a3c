import NN
import Tensor

/// Deterministic test data: N(0, 1) floats from a named stream.
func randomFloats(_ count: Int, seed: UInt64 = 1, purpose: String = "test") -> [Float] {
    var stream = RandomStream(seed: seed, purpose: purpose)
    return (0..<count).map { _ in Float(stream.normal()) }
}

func randomLabels(_ count: Int, classes: Int, seed: UInt64 = 1) -> [Int] {
    var stream = RandomStream(seed: seed, purpose: "labels")
    return (0..<count).map { _ in stream.below(classes) }
}

/// The bytes of every parameter, in model order.
func parameterBytes(_ model: Model) -> [Float] { model.parameters.storage.array }

/// A compute context for kernels called directly (one worker unless told).
func context(threads: Int = 1) -> ComputeContext { ComputeContext(threads: threads) }

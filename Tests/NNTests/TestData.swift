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

/// max|got − ref| / max|ref| against a float reference (golden/README.md's relmax).
func relmax(_ got: [Float], _ reference: [Float]) -> Double {
    let difference = zip(got, reference).map { abs(Double($0) - Double($1)) }.max() ?? 0
    let scale = reference.map { abs(Double($0)) }.max() ?? 0
    return scale == 0 ? difference : difference / scale
}

/// The bytes of every parameter, in model order.
func parameterBytes(_ model: Model) -> [Float] { model.parameters.storage.array }

/// A compute context for kernels called directly (one worker unless told).
func context(threads: Int = 1) -> ComputeContext { ComputeContext(threads: threads) }

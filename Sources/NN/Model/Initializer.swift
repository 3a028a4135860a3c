import Foundation
import Tensor

/// Initial values (RECIPE.md §3.3): conv and dense weights Xavier uniform, 'avg' fan,
/// magnitude 3 (MXNet's `Xavier()`), biases and BN β 0, BN γ 1, running mean 0 and
/// running variance 1. Each weight tensor draws from its own stream (purpose "init",
/// index = the tensor's position in model order), so no tensor depends on another's shape.
public enum Initializer {
    public static func xavierUniform(_ store: ParameterStore, seed: UInt64) {
        for (index, view) in store.parameters.views.enumerated() {
            let values = store.parameters.pointer(view)
            switch store.kinds[index] {
            case .convWeight, .denseWeight:
                let (fanIn, fanOut) = fans(view.shape)
                let bound = Float((3.0 / (Double(fanIn + fanOut) / 2)).squareRoot())
                var stream = RandomStream(seed: seed, purpose: "init", index: index)
                for i in 0..<view.count { values[i] = stream.uniform(-bound, bound) }
            case .batchNormGamma:
                values.update(repeating: 1, count: view.count)
            case .batchNormBeta, .denseBias:
                values.update(repeating: 0, count: view.count)
            }
        }
        for view in store.buffers.views {
            let fill: Float = view.name.hasSuffix("running_var") ? 1 : 0
            store.buffers.pointer(view).update(repeating: fill, count: view.count)
        }
    }

    /// MXNet's fans from a weight shape (out, in/groups, k, k) or (out, in).
    static func fans(_ shape: [Int]) -> (Int, Int) {
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }
}

import Foundation
import Tensor

/// Adam as MXNet implements it (RECIPE.md §4.3), with coupled weight decay d = g + wd·w:
///   m ← β1·m + (1 − β1)·d;  v ← β2·v + (1 − β2)·d²;
///   w ← w − η·sqrt(1 − β2^t)/(1 − β1^t)·m/(sqrt(v) + ε).
public final class Adam: Optimizer {
    public var beta1: Float, beta2: Float, epsilon: Float
    public var weightDecay: WeightDecay
    public var updates = 0
    public let state: [String: StateSlice]
    private let mean: StateSlice, variance: StateSlice

    public init(
        parameters: Arena, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: WeightDecay, slice: Range<Int>? = nil
    ) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay
        mean = StateSlice(views: parameters.views, range: slice)
        variance = StateSlice(views: parameters.views, range: slice)
        state = ["mean": mean, "variance": variance]
    }

    public func step(parameters: Arena, gradients: Arena, learningRate: Float, range: Range<Int>) {
        updates += 1
        let t = Double(updates)
        let rate = Float(Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
        let eps = epsilon
        momentStep(
            parameters, gradients, range, mean: mean, variance: variance, weightDecay: weightDecay,
            beta1: beta1, beta2: beta2
        ) { w, _, m, v in
            w -= rate * m / (v.squareRoot() + eps)
        }
    }
}

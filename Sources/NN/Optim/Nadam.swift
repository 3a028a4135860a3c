import Foundation
import Tensor

/// Nadam (Dozat 2016) as in MXNet (RECIPE.md §4.3), coupled weight decay d = g + wd·w.
/// Momentum schedule μ_t = β1·(1 − 0.5·0.96^(t·decay)); with M_t = μ_1⋯μ_t:
///   m ← β1·m + (1 − β1)·d;  v ← β2·v + (1 − β2)·d²;
///   m̄ = (1 − μ_t)·d/(1 − M_t) + μ_{t+1}·m/(1 − M_t·μ_{t+1});
///   w ← w − η·m̄/(sqrt(v/(1 − β2^t)) + ε).
/// M_t is the product over steps (MXNet multiplies it once per parameter tensor, which
/// makes it depend on the parameter count; the paper's formula is per step).
public final class Nadam: Optimizer {
    public var beta1: Float, beta2: Float, epsilon: Float, scheduleDecay: Double
    public var weightDecay: WeightDecay
    public var updates = 0
    public let state: [String: StateSlice]
    private let mean: StateSlice, variance: StateSlice

    public init(
        parameters: Arena, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        scheduleDecay: Double = 0.004, weightDecay: WeightDecay, slice: Range<Int>? = nil
    ) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.scheduleDecay = scheduleDecay
        self.weightDecay = weightDecay
        mean = StateSlice(views: parameters.views, range: slice)
        variance = StateSlice(views: parameters.views, range: slice)
        state = ["mean": mean, "variance": variance]
    }

    /// μ_t of the momentum schedule.
    public func momentum(at t: Int) -> Double {
        Double(beta1) * (1 - 0.5 * pow(0.96, Double(t) * scheduleDecay))
    }

    public func step(parameters: Arena, gradients: Arena, learningRate: Float, range: Range<Int>) {
        updates += 1
        let t = updates
        // the product of μ up to t, recomputed from the step count so that a resumed run needs no extra state
        var product: Double = 1
        for i in 1...t { product *= momentum(at: i) }
        let muT = momentum(at: t), muNext = momentum(at: t + 1)
        let gradientScale = Float((1 - muT) / (1 - product))
        let meanScale = Float(muNext / (1 - product * muNext))
        let varianceScale = Float(1 / (1 - pow(Double(beta2), Double(t))))
        let (eps, lr) = (epsilon, learningRate)
        momentStep(
            parameters, gradients, range, mean: mean, variance: variance, weightDecay: weightDecay,
            beta1: beta1, beta2: beta2
        ) { w, d, m, v in
            let bar = gradientScale * d + meanScale * m
            w -= lr * bar / ((v * varianceScale).squareRoot() + eps)
        }
    }
}

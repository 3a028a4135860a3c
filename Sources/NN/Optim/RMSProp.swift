import Tensor

/// Non-centred RMSProp (Tieleman and Hinton) as in MXNet (RECIPE.md §4.3), coupled decay:
///   d = g + wd·w;  n ← γ·n + (1 − γ)·d²;  w ← w − η·d/sqrt(n + ε).
public final class RMSProp: Optimizer {
    public var gamma: Float, epsilon: Float
    public var weightDecay: WeightDecay
    public var updates = 0
    public let state: [String: StateSlice]
    private let average: StateSlice

    public init(
        parameters: Arena, gamma: Float = 0.9, epsilon: Float = 1e-8, weightDecay: WeightDecay, slice: Range<Int>? = nil
    ) {
        self.gamma = gamma; self.epsilon = epsilon
        self.weightDecay = weightDecay
        average = StateSlice(views: parameters.views, range: slice)
        state = ["square_average": average]
    }

    public func step(parameters: Arena, gradients: Arena, learningRate: Float, range: Range<Int>) {
        updates += 1
        let (gamma, eps, lr) = (gamma, epsilon, learningRate)
        forEachView(parameters, gradients, range) { view, w, g, count in
            let wd = weightDecay.rate(forView: view.index)
            let n = view.state(average)
            for i in 0..<count {
                let d = g[i] + wd * w[i]
                n[i] = gamma * n[i] + (1 - gamma) * d * d
                w[i] -= lr * d / (n[i] + eps).squareRoot()
            }
        }
    }
}

import Tensor

/// AdaDelta as in MXNet (RECIPE.md §4.3): no learning rate, and weight decay applied
/// directly rather than through the gradient:
///   a ← ρ·a + (1 − ρ)·g²;  Δ = sqrt(b + ε)/sqrt(a + ε)·g;
///   b ← ρ·b + (1 − ρ)·Δ²;  w ← w − Δ − wd·w.
public final class AdaDelta: Optimizer {
    public var rho: Float, epsilon: Float
    public var weightDecay: WeightDecay
    public var updates = 0
    public let state: [String: StateSlice]
    private let gradientAverage: StateSlice, deltaAverage: StateSlice

    public init(
        parameters: Arena, rho: Float = 0.9, epsilon: Float = 1e-5, weightDecay: WeightDecay, slice: Range<Int>? = nil
    ) {
        self.rho = rho; self.epsilon = epsilon
        self.weightDecay = weightDecay
        gradientAverage = StateSlice(views: parameters.views, range: slice)
        deltaAverage = StateSlice(views: parameters.views, range: slice)
        state = ["gradient_average": gradientAverage, "delta_average": deltaAverage]
    }

    /// `learningRate` is ignored: AdaDelta has none (a schedule has no effect).
    public func step(parameters: Arena, gradients: Arena, learningRate: Float, range: Range<Int>) {
        updates += 1
        let (rho, eps) = (rho, epsilon)
        forEachView(parameters, gradients, range) { view, w, g, count in
            let wd = weightDecay.rate(forView: view.index)
            let a = view.state(gradientAverage)
            let b = view.state(deltaAverage)
            for i in 0..<count {
                a[i] = rho * a[i] + (1 - rho) * g[i] * g[i]
                let delta = (b[i] + eps).squareRoot() / (a[i] + eps).squareRoot() * g[i]
                b[i] = rho * b[i] + (1 - rho) * delta * delta
                w[i] -= delta + wd * w[i]
            }
        }
    }
}

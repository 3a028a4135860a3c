import Tensor

/// SGD with momentum, Nesterov (NAG, the baseline) or heavy-ball, coupled weight decay
/// (RECIPE.md §4.2, PyTorch form):
///   d = g + wd·w;  m ← μ·m + d;  w ← w − η·(d + μ·m)  (Nesterov)  or  w ← w − η·m.
public final class SGD: Optimizer {
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: WeightDecay
    public var updates = 0
    public let state: [String: StateSlice]
    private let buffer: StateSlice

    public init(
        parameters: Arena, momentum: Float = 0.9, nesterov: Bool = true, weightDecay: WeightDecay,
        slice: Range<Int>? = nil
    ) {
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        buffer = StateSlice(views: parameters.views, range: slice)
        state = ["momentum": buffer]
    }

    public func step(parameters: Arena, gradients: Arena, learningRate: Float, range: Range<Int>) {
        updates += 1
        let mu = momentum, lr = learningRate, nesterov = nesterov
        forEachView(parameters, gradients, range) { view, w, g, count in
            let wd = weightDecay.rate(forView: view.index)
            let m = view.state(buffer)
            for i in 0..<count {
                let d = g[i] + wd * w[i]
                m[i] = mu * m[i] + d
                w[i] -= lr * (nesterov ? d + mu * m[i] : m[i])
            }
        }
    }
}

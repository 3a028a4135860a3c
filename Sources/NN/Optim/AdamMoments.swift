import Tensor

extension Optimizer {
    /// Adam's step shape, shared by Adam and Nadam: per parameter, with coupled weight decay
    /// d = g + wd·w, the moments m ← β1·m + (1 − β1)·d and v ← β2·v + (1 − β2)·d², then
    /// `move(&w, d, m, v)` applies the optimizer's own update.
    func momentStep(
        _ parameters: Arena, _ gradients: Arena, _ range: Range<Int>, mean: StateSlice, variance: StateSlice,
        weightDecay: WeightDecay,
        beta1 b1: Float, beta2 b2: Float, _ move: (_ w: inout Float, _ d: Float, _ m: Float, _ v: Float) -> Void
    ) {
        forEachView(parameters, gradients, range) { view, w, g, count in
            let wd = weightDecay.rate(forView: view.index)
            let m = view.state(mean), v = view.state(variance)
            for i in 0..<count {
                let d = g[i] + wd * w[i]
                m[i] = b1 * m[i] + (1 - b1) * d
                v[i] = b2 * v[i] + (1 - b2) * d * d
                move(&w[i], d, m[i], v[i])
            }
        }
    }
}

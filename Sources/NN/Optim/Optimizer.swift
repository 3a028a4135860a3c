import Tensor

/// Coupled L2 weight decay (RECIPE.md §4.1): d = g + wd·w, per parameter view; the
/// GluonCV `--no-wd` option exempts biases and BN parameters.
public struct WeightDecay: Sendable {
    public var rate: Float
    /// One flag per parameter view, in model order.
    public var exempt: [Bool]

    public init(rate: Float, kinds: [ParameterKind], excludingBiasAndNorm: Bool = false) {
        self.rate = rate
        exempt = kinds.map { excludingBiasAndNorm && $0.isBiasOrNorm }
    }

    func rate(forView index: Int) -> Float { exempt[index] ? 0 : rate }
}

/// An update rule. `gradients` hold the batch-mean gradient (what `Model.backward` leaves
/// after a batch-mean loss). State lives in arenas with the parameters' views, so a
/// checkpoint stores it per name; `updates` counts steps taken (t in the formulas, from 1).
public protocol Optimizer: AnyObject {
    var updates: Int { get set }
    /// Named state arenas ("momentum", "mean", "variance", …) with the parameters' views.
    var state: [String: Arena] { get }
    func step(parameters: Arena, gradients: Arena, learningRate: Float)
}

extension Optimizer {
    /// Calls `body(view index, weights, gradients, count)` for each view.
    func forEachView(
        _ parameters: Arena, _ gradients: Arena,
        _ body: (Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) {
        check(parameters.views == gradients.views, "optimizer: " + Arena.difference(parameters.views, gradients.views))
        for (index, view) in parameters.views.enumerated() {
            body(index, parameters.pointer(view), gradients.pointer(view), view.count)
        }
    }
}

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
/// after a batch-mean loss). State lives in slices with the parameters' views, so a
/// checkpoint stores it per name; `updates` counts steps taken (t in the formulas, from 1).
/// Every rule's `init(…, slice:)` takes the flat positions whose state it keeps (nil: all).
public protocol Optimizer: AnyObject {
    var updates: Int { get set }
    /// Named states ("momentum", "mean", "variance", …), each at the flat positions the
    /// optimizer was made for (its `slice`: every parameter, or a data-parallel rank's).
    var state: [String: StateSlice] { get }
    /// Updates the parameters at the flat positions `range` (the arena's, all views
    /// together) and only there: a data-parallel rank updates its slice (`DataParallel`).
    /// `range` lies inside the state's slice.
    func step(parameters: Arena, gradients: Arena, learningRate: Float, range: Range<Int>)
}

extension Optimizer {
    /// The update of every parameter.
    public func step(parameters: Arena, gradients: Arena, learningRate: Float) {
        step(parameters: parameters, gradients: gradients, learningRate: learningRate, range: 0..<parameters.count)
    }

    /// Calls `body(view, weights, gradients, count)` for each view's part inside `range`;
    /// the pointers start at that part, and `view.state(slice)` gives a state's.
    func forEachView(
        _ parameters: Arena, _ gradients: Arena, _ range: Range<Int>,
        _ body: (ViewPart, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) {
        check(parameters.views == gradients.views, "optimizer: " + Arena.difference(parameters.views, gradients.views))
        for (index, view) in parameters.views.enumerated() {
            let part = range.clamped(to: view.offset..<view.offset + view.count)
            guard !part.isEmpty else { continue }
            let start = part.lowerBound - view.offset
            body(
                ViewPart(index: index, part: part), parameters.pointer(view) + start, gradients.pointer(view) + start,
                part.count)
        }
    }
}

/// The part of parameter view `index` an update covers: the flat positions `part`.
struct ViewPart {
    let index: Int
    let part: Range<Int>

    /// The same part of a state (it must hold it).
    func state(_ slice: StateSlice) -> UnsafeMutablePointer<Float> { slice.pointer(part) }
}

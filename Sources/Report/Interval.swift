/// A value with a symmetric uncertainty, `center ± halfWidth`: a cell's estimate, its
/// difference from the paper, or the difference between two of our cells.
public struct Interval: Sendable, Equatable {
    public let center: Double
    public let halfWidth: Double

    public init(center: Double, halfWidth: Double) {
        self.center = center
        self.halfWidth = halfWidth
    }

    public var lower: Double { center - halfWidth }
    public var upper: Double { center + halfWidth }

    /// Closed: a value at an end is inside, also where binary rounding puts it a hair outside
    /// (mean 74.01 of [74.00, 74.02] is 0.50 from 74.51 in decimals, 0.5000000000000142 in
    /// doubles); the slack is far below the 0.01 the numbers are printed to.
    public func contains(_ value: Double) -> Bool { abs(value - center) <= halfWidth + Interval.slack }

    static let slack = 1e-9

    /// The difference `self − other` of two independent intervals; the half-widths add in
    /// quadrature, as standard errors of independent means do.
    public func minus(_ other: Interval) -> Interval {
        Interval(
            center: center - other.center,
            halfWidth: (halfWidth * halfWidth + other.halfWidth * other.halfWidth).squareRoot())
    }

    /// The interval shifted by a constant known exactly (a paper's number): same half-width.
    public func minus(_ value: Double) -> Interval { Interval(center: center - value, halfWidth: halfWidth) }
}

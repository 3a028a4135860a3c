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

    /// Closed: a value exactly at an end is inside.
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// The difference `self − other` of two independent intervals; the half-widths add in
    /// quadrature, as standard errors of independent means do.
    public func minus(_ other: Interval) -> Interval {
        Interval(center: center - other.center,
                 halfWidth: (halfWidth * halfWidth + other.halfWidth * other.halfWidth).squareRoot())
    }

    /// The interval shifted by a constant known exactly (a paper's number): same half-width.
    public func minus(_ value: Double) -> Interval { Interval(center: center - value, halfWidth: halfWidth) }
}

/// One cell of ours over seeds: the values in seed order, their mean, and the interval the
/// verdicts use, `mean ± max(2·std/√n, floor)`.
///
/// Why a floor: ResNet56 on CIFAR-100 varies by about 0.2–0.4 points (std) from seed to
/// seed, so one or two runs cannot resolve differences below about half a point, however
/// close those runs happen to be to each other. A single run has no std at all and gets
/// just the floor.
public struct Estimate: Codable, Sendable, Equatable {
    /// The smallest half-width of an interval, in percentage points.
    public static let floor = 0.5

    public let values: [Double]

    public init(values: [Double]) {
        precondition(!values.isEmpty, "an estimate needs at least one value")
        self.values = values
    }

    /// One run.
    public init(_ value: Double) { self.init(values: [value]) }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self).decode([Double].self, forKey: .values)
        guard !values.isEmpty else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "an estimate needs at least one value"))
        }
        self.values = values
    }

    public var n: Int { values.count }

    /// Summed in seed order, so the same values always give the same bits.
    public var mean: Double { values.reduce(0, +) / Double(n) }

    /// The sample standard deviation (divisor n − 1); nil for a single run.
    public var std: Double? {
        guard n >= 2 else { return nil }
        let mean = self.mean
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
    }

    /// Twice the standard error (about a 95% interval for the mean), never below `floor`.
    public var halfWidth: Double {
        guard let std else { return Estimate.floor }
        return max(2 * std / Double(n).squareRoot(), Estimate.floor)
    }

    public var interval: Interval { Interval(center: mean, halfWidth: halfWidth) }
}

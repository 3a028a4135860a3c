/// How one of the paper's claims fares against our own difference between the same two cells.
public enum ClaimVerdict: String, Sendable, Codable, CaseIterable {
    /// Our difference has the paper's sign and its interval excludes 0.
    case supported = "supported"
    /// Our difference has the opposite sign and its interval excludes 0.
    case contradicted = "contradicted"
    /// Our interval includes 0: our runs cannot tell.
    case inconclusive = "inconclusive"
    /// We lack one of the two cells.
    case notMeasured = "not measured"

    /// A paper difference of exactly 0 claims no direction: any difference we resolve
    /// contradicts it.
    public init(ours: Interval?, paperDifference: Double) {
        guard let ours else { self = .notMeasured; return }
        if ours.contains(0) {
            self = .inconclusive
        } else {
            self = (ours.center > 0) == (paperDifference > 0) && paperDifference != 0 ? .supported : .contradicted
        }
    }
}

/// A claim with our difference (row − base, ± h_d = √(h_row² + h_base²)) and the verdict.
public struct ClaimResult: Sendable, Equatable {
    public let claim: Claim
    public let ours: Interval?
    public let verdict: ClaimVerdict
}

extension TableResult {
    /// A verdict for each of the paper's claims about this table (`PaperTable.claims`), in order.
    public var claimResults: [ClaimResult] {
        paper.claims.map { claim in
            let ours = estimate(row: claim.row, column: claim.column)
                .flatMap { row in
                    estimate(row: claim.baseRow, column: claim.baseColumn).map { row.interval.minus($0.interval) }
                }
            return ClaimResult(
                claim: claim, ours: ours, verdict: ClaimVerdict(ours: ours, paperDifference: claim.paperDifference))
        }
    }

    /// Our estimate of the cell at a row label and column key (which must exist).
    func estimate(row: String, column: String) -> Estimate? {
        let cell = paper.index(row: row, column: column)
        return ours[cell.row][cell.column]
    }
}

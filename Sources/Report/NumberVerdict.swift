/// How one of the paper's numbers fares against our estimate of the same cell.
public enum NumberVerdict: String, Sendable, Codable, CaseIterable {
    /// The paper's number lies in our interval: |mean − paper| ≤ h.
    case reproduced = "reproduced"
    case higher = "higher than paper"
    case lower = "lower than paper"
    /// We have no figure for the cell.
    case notMeasured = "not measured"

    public init(estimate: Estimate?, paper: Double) {
        guard let estimate else { self = .notMeasured; return }
        let interval = estimate.interval
        if interval.contains(paper) {
            self = .reproduced
        } else {
            self = interval.center > paper ? .higher : .lower
        }
    }

    /// The mark a table shows beside the cell (LaTeX spells them with its own commands).
    var symbol: String {
        switch self {
        case .reproduced: "✓"
        case .higher: "↑"
        case .lower: "↓"
        case .notMeasured: ""
        }
    }
}

/// One number the paper prints, with our estimate of it and the verdict.
public struct NumberCheck: Sendable, Equatable {
    public let row: String
    /// The column's key ("top1", "p306090_w20").
    public let column: String
    public let paper: Double
    public let estimate: Estimate?
    public let verdict: NumberVerdict
}

extension TableResult {
    /// A verdict for every cell with a paper value in a non-volatile column, row by row.
    public var numberVerdicts: [NumberCheck] {
        paper.rows.indices.flatMap { row in
            paper.columns.indices.compactMap { column -> NumberCheck? in
                guard !paper.columns[column].isVolatile, let value = paper.paperValue(row: row, column: column) else {
                    return nil
                }
                let estimate = ours[row][column]
                return NumberCheck(
                    row: paper.rows[row], column: paper.columns[column].key, paper: value,
                    estimate: estimate, verdict: NumberVerdict(estimate: estimate, paper: value))
            }
        }
    }
}

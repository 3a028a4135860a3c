/// A paper table filled with our numbers: `ours[row][column]` is our estimate of the cell
/// over seeds, nil where we have no figure (a row quoted from another paper, or a volatile
/// column kept out of this file).
public struct TableResult: Sendable {
    public let paper: PaperTable
    public let ours: [[Estimate?]]
    /// Why a row has no number of ours, keyed by row label (e.g. "ImageNet result quoted from [1]").
    public let rowNotes: [String: String]
    public let profile: String

    public init(paper: PaperTable, ours: [[Estimate?]], rowNotes: [String: String] = [:], profile: String) {
        precondition(
            ours.count == paper.rows.count && ours.allSatisfy { $0.count == paper.columns.count },
            "table \(paper.id): ours must be rows × columns")
        self.paper = paper
        self.ours = ours
        self.rowNotes = rowNotes
        self.profile = profile
    }

    /// Δ = our mean − the paper's number, with our interval's half-width.
    public func difference(row: Int, column: Int) -> Interval? {
        guard let ours = ours[row][column], let paper = paper.paperValue(row: row, column: column) else { return nil }
        return ours.interval.minus(paper)
    }

    /// True for a cell the paper left empty and we filled.
    public func filledByUs(row: Int, column: Int) -> Bool {
        paper.paperValue(row: row, column: column) == nil && ours[row][column] != nil
    }
}

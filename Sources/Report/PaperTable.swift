/// One table of the paper: its rows and columns, the numbers it printed, and its claims.
/// `values[row][column]` is nil where the paper left the cell empty; `notes` holds the
/// paper's footnote for such a cell, keyed "row|column". Read from the paper file (`Paper`).
public struct PaperTable: Sendable {
    public let id: String  // "table1" … "table5": the file names
    public let numeral: String  // "I" … "V"
    public let title: String
    public let rowHeader: String
    public let rows: [String]
    public let columns: [Column]
    public let values: [[Double?]]
    public let notes: [String: String]
    public let bold: Set<String>  // "row|column" of the cells the paper set in bold
    public let layout: Layout
    /// Why a row the paper quotes from elsewhere has no number of ours, keyed by row label.
    public let quotedRows: [String: String]
    /// The paper's claims about this table, in the order they are listed.
    public let claims: [Claim]
    /// What a reader should know about the claims (why there are none, where a base comes from).
    public let claimsNote: String?

    public struct Column: Sendable {
        public let key: String  // the metric our stages report for this column
        public let header: String
        /// A wall-clock column: our figures vary run to run, so they never enter a hashed table.
        public let isVolatile: Bool

        public init(key: String, header: String, isVolatile: Bool = false) {
            self.key = key
            self.header = header
            self.isVolatile = isVolatile
        }
    }

    /// How our runs fill the table: one stage per row, each column one of its metrics
    /// (Tables I–III, V), or one stage per cell, all reporting the same metric (Table IV).
    public enum Layout: Sendable, Equatable {
        case perRow
        case perCell(metric: String)
    }

    /// The stages a table stage names per row: 1, or one per column.
    public var stagesPerRow: Int {
        if case .perCell = layout { return columns.count }
        return 1
    }

    /// The metric that fills a cell of `column` from its stage's evaluation.
    public func metric(column: Int) -> String {
        if case .perCell(let metric) = layout { return metric }
        return columns[column].key
    }

    public func paperValue(row: Int, column: Int) -> Double? { values[row][column] }

    /// The paper's number at a row label and column key (which must exist).
    public func paperValue(row: String, column: String) -> Double? {
        let cell = index(row: row, column: column)
        return values[cell.row][cell.column]
    }

    public func note(row: Int, column: Int) -> String? { notes["\(rows[row])|\(columns[column].key)"] }

    public func isBold(row: Int, column: Int) -> Bool { bold.contains("\(rows[row])|\(columns[column].key)") }

    /// The position of a row label and column key; a name the table lacks is a programming
    /// error (the paper file's reader checks every name it takes).
    func index(row: String, column: String) -> (row: Int, column: Int) {
        guard let cell = position(row: row, column: column) else {
            preconditionFailure("table \(id) has no cell \(row)|\(column)")
        }
        return cell
    }

    func position(row: String, column: String) -> (row: Int, column: Int)? {
        guard let r = rows.firstIndex(of: row), let c = columns.firstIndex(where: { $0.key == column }) else {
            return nil
        }
        return (r, c)
    }
}

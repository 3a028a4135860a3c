/// One table of the paper: its rows and columns and the numbers it printed.
/// `values[row][column]` is nil where the paper left the cell empty; `notes` holds the
/// paper's footnote for such a cell, keyed "row|column".
public struct PaperTable: Sendable {
    public let id: String            // "table1" … "table5": the file names
    public let numeral: String       // "I" … "V"
    public let title: String
    public let rowHeader: String
    public let rows: [String]
    public let columns: [Column]
    public let values: [[Double?]]
    public let notes: [String: String]
    public let bold: Set<String>     // "row|column" of the cells the paper set in bold

    public struct Column: Sendable {
        public let key: String       // the metric our stages report for this column
        public let header: String
        /// A wall-clock column: our figures vary run to run, so they never enter a hashed table.
        public let isVolatile: Bool

        public init(key: String, header: String, isVolatile: Bool = false) {
            self.key = key
            self.header = header
            self.isVolatile = isVolatile
        }
    }

    public func paperValue(row: Int, column: Int) -> Double? { values[row][column] }

    /// The paper's number at a row label and column key (which must exist).
    public func paperValue(row: String, column: String) -> Double? {
        let cell = index(row: row, column: column)
        return values[cell.row][cell.column]
    }

    public func note(row: Int, column: Int) -> String? { notes["\(rows[row])|\(columns[column].key)"] }

    public func isBold(row: Int, column: Int) -> Bool { bold.contains("\(rows[row])|\(columns[column].key)") }

    /// The position of a row label and column key; a name the table lacks is a programming error.
    func index(row: String, column: String) -> (row: Int, column: Int) {
        guard let r = rows.firstIndex(of: row), let c = columns.firstIndex(where: { $0.key == column }) else {
            preconditionFailure("table \(id) has no cell \(row)|\(column)")
        }
        return (r, c)
    }
}

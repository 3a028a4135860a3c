/// What a rendered table shows, independent of Markdown or LaTeX: column groups (one per
/// paper column, with sub-columns ours / paper / Δ), the cells, and the footnotes.
struct TableLayout {
    struct Group {
        let header: String
        let subheaders: [String]
    }

    struct Cell {
        var text: String
        var bold = false
        /// A footnote mark ("a", "b", "†") set after the text.
        var mark: String? = nil
    }

    let caption: String
    /// The caption without its "Table N." label (LaTeX numbers the table itself).
    let title: String
    let numeral: String
    let rowHeader: String
    let groups: [Group]
    let rows: [(label: String, cells: [Cell])]
    let footnotes: [(mark: String, text: String)]

    static let filledMark = "†"
    static let missing = "—"

    init(_ result: TableResult, volatileFile: String?) {
        let paper = result.paper
        title = "\(paper.title) (repro, profile \(result.profile))"
        numeral = paper.numeral
        caption = paper.numeral.isEmpty ? title : "Table \(paper.numeral). \(title)"
        rowHeader = paper.rowHeader
        groups = paper.columns.map { column in
            Group(header: column.header, subheaders: column.isVolatile ? ["paper"] : ["ours", "paper", "Δ"])
        }
        var notes: [(mark: String, text: String)] = []
        func mark(for text: String) -> String {
            if let existing = notes.first(where: { $0.text == text }) { return existing.mark }
            let letter = String(UnicodeScalar(UInt8(97 + notes.count)))
            notes.append((letter, text))
            return letter
        }
        var anyFilled = false
        var anyVolatile = false
        rows = paper.rows.indices.map { row in
            var cells: [Cell] = []
            for (column, spec) in paper.columns.enumerated() {
                let paperValue = paper.paperValue(row: row, column: column)
                var paperCell = Cell(text: paperValue.map { NumberFormat.fixed($0, spec.isVolatile ? 3 : 2) } ?? TableLayout.missing)
                paperCell.bold = paper.isBold(row: row, column: column)
                if let note = paper.note(row: row, column: column) { paperCell.mark = mark(for: note) }
                if spec.isVolatile {
                    anyVolatile = true
                    cells.append(paperCell)
                    continue
                }
                var ours = Cell(text: result.ours[row][column].map { NumberFormat.fixed($0) } ?? TableLayout.missing)
                if result.filledByUs(row: row, column: column) {
                    ours.mark = TableLayout.filledMark
                    anyFilled = true
                } else if result.ours[row][column] == nil, let note = result.rowNotes[paper.rows[row]] {
                    ours.mark = mark(for: note)
                }
                let difference = result.difference(row: row, column: column).map { NumberFormat.signed($0) } ?? ""
                cells += [ours, paperCell, Cell(text: difference)]
            }
            return (paper.rows[row], cells)
        }
        if anyFilled {
            notes.append((TableLayout.filledMark, "the paper has no number here; the figure is ours"))
        }
        if anyVolatile, let volatileFile {
            notes.append(("", "Our wall-clock times vary from run to run, so they are kept out of this file: see \(volatileFile)."))
        }
        notes.append(("", "ours: final-epoch accuracy (%) on the test split; Δ = ours − paper, in points."))
        footnotes = notes
    }
}

/// What a rendered table shows, independent of Markdown, LaTeX or HTML: column groups (one
/// per paper column, with sub-columns ours / paper / Δ / verdict), the cells, the
/// footnotes, and the paper's claims about the table with our verdicts.
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

    struct Row {
        let label: String
        /// One list of cells per group, as many as its subheaders.
        let cells: [[Cell]]
    }

    struct ClaimLine {
        let text: String
        let paper: String
        let ours: String
        let verdict: String
    }

    let caption: String
    /// The caption without its "Table N." label (LaTeX numbers the table itself).
    let title: String
    let numeral: String
    let rowHeader: String
    let groups: [Group]
    let rows: [Row]
    let footnotes: [(mark: String, text: String)]
    let claims: [ClaimLine]
    /// Under the claims: how to read them, and the paper's caveats (`PaperTable.claimsNote`).
    let claimNotes: [String]

    static let filledMark = "†"
    static let missing = "—"
    /// The sub-columns of a measured column; a volatile one shows only "paper".
    static let measuredSubheaders = ["ours", "paper", "Δ", "verdict"]
    static let claimHeaders = ["Claim (top-1)", "paper", "ours", "verdict"]

    static let floor = NumberFormat.fixed(Estimate.floor)
    static let reading =
        "ours: final-epoch accuracy (%) on the test split, mean ± sample std over n seeds; "
        + "Δ = mean − paper ± h in points, h = max(2·std/√n, \(floor)); "
        + "✓ reproduced (|Δ| ≤ h), ↑ higher than paper, ↓ lower than paper."
    static let oneSeed =
        "A figure of ours without ± is one seed: it has no std, and its Δ carries the \(floor)-point floor."
    static let claimReading =
        "ours: our row − our base ± √(h_row² + h_base²); supported: our interval excludes 0 "
        + "with the paper's sign; contradicted: it excludes 0 with the opposite sign; inconclusive: it holds 0."

    init(_ result: TableResult, volatileFile: String?) {
        let paper = result.paper
        title = "\(paper.title) (repro, profile \(result.profile))"
        numeral = paper.numeral
        caption = paper.numeral.isEmpty ? title : "Table \(paper.numeral). \(title)"
        rowHeader = paper.rowHeader
        groups = paper.columns.map { column in
            Group(header: column.header, subheaders: column.isVolatile ? ["paper"] : TableLayout.measuredSubheaders)
        }
        var notes: [(mark: String, text: String)] = []
        func mark(for text: String) -> String {
            if let existing = notes.first(where: { $0.text == text }) { return existing.mark }
            let letter = String(UnicodeScalar(UInt8(97 + notes.count)))
            notes.append((letter, text))
            return letter
        }
        var anyFilled = false, anyVolatile = false, anyOneSeed = false
        rows = paper.rows.indices.map { row in
            let cells = paper.columns.indices.map { column -> [Cell] in
                let spec = paper.columns[column]
                let paperValue = paper.paperValue(row: row, column: column)
                var paperCell = Cell(
                    text: paperValue.map { NumberFormat.fixed($0, spec.isVolatile ? 3 : 2) } ?? TableLayout.missing)
                paperCell.bold = paper.isBold(row: row, column: column)
                if let note = paper.note(row: row, column: column) { paperCell.mark = mark(for: note) }
                if spec.isVolatile {
                    anyVolatile = true
                    return [paperCell]
                }
                let estimate = result.ours[row][column]
                var ours = Cell(text: estimate.map(NumberFormat.estimate) ?? TableLayout.missing)
                anyOneSeed = anyOneSeed || estimate?.n == 1
                if result.filledByUs(row: row, column: column) {
                    ours.mark = TableLayout.filledMark
                    anyFilled = true
                } else if estimate == nil, let note = result.rowNotes[paper.rows[row]] {
                    ours.mark = mark(for: note)
                }
                let difference = result.difference(row: row, column: column).map(NumberFormat.difference) ?? ""
                let verdict = paperValue.map { NumberVerdict(estimate: estimate, paper: $0).symbol } ?? ""
                return [ours, paperCell, Cell(text: difference), Cell(text: verdict)]
            }
            return Row(label: paper.rows[row], cells: cells)
        }
        if anyFilled {
            notes.append((TableLayout.filledMark, "the paper has no number here; the figure is ours"))
        }
        if anyVolatile, let volatileFile {
            notes.append(
                (
                    "",
                    "Our wall-clock times vary from run to run, so they are kept out of this file: see \(volatileFile)."
                ))
        }
        notes.append(("", TableLayout.reading))
        if anyOneSeed { notes.append(("", TableLayout.oneSeed)) }
        footnotes = notes

        claims = result.claimResults.map { claim in
            ClaimLine(
                text: claim.claim.text, paper: NumberFormat.signed(claim.claim.paperDifference),
                ours: claim.ours.map(NumberFormat.difference) ?? TableLayout.missing, verdict: claim.verdict.rawValue)
        }
        claimNotes = (claims.isEmpty ? [] : [TableLayout.claimReading]) + [paper.claimsNote].compactMap { $0 }
    }
}

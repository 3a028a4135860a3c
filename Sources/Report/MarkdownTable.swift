/// GitHub-flavoured Markdown for a table of results and the paper's claims about it.
public enum MarkdownTable {
    public static func render(_ result: TableResult, volatileFile: String? = nil) -> String {
        render(TableLayout(result, volatileFile: volatileFile))
    }

    static func render(_ layout: TableLayout) -> String {
        var headers = [layout.rowHeader]
        for group in layout.groups {
            headers += group.subheaders.map {
                group.subheaders.count == 1 ? "\(group.header) (\($0))" : "\(group.header) \($0)"
            }
        }
        var lines = ["**\(layout.caption)**", ""]
        lines += table(headers, rows: layout.rows.map { row in [escape(row.label)] + row.cells.joined().map(cell) })
        lines.append("")
        for note in layout.footnotes {
            lines.append(note.mark.isEmpty ? note.text : "\(note.mark) \(note.text)")
            lines.append("")
        }
        if !layout.claims.isEmpty {
            lines += table(
                TableLayout.claimHeaders, rows: layout.claims.map { [escape($0.text), $0.paper, $0.ours, $0.verdict] },
                leftAligned: [0, 3])
            lines.append("")
        }
        for note in layout.claimNotes { lines += [note, ""] }
        return lines.joined(separator: "\n")
    }

    /// A header line, the alignment line (numbers right-aligned) and a line per row.
    private static func table(_ headers: [String], rows: [[String]], leftAligned: Set<Int> = [0]) -> [String] {
        var lines = ["| " + headers.joined(separator: " | ") + " |"]
        lines.append("|" + headers.indices.map { leftAligned.contains($0) ? " --- |" : " ---: |" }.joined())
        lines += rows.map { "| " + $0.joined(separator: " | ") + " |" }
        return lines
    }

    private static func cell(_ cell: TableLayout.Cell) -> String {
        var text = cell.bold ? "**\(cell.text)**" : cell.text
        if let mark = cell.mark { text += " \(mark)" }
        return text
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}

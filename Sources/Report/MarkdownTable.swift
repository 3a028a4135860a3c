/// GitHub-flavoured Markdown for a table of results.
public enum MarkdownTable {
    public static func render(_ result: TableResult, volatileFile: String? = nil) -> String {
        render(TableLayout(result, volatileFile: volatileFile))
    }

    static func render(_ layout: TableLayout) -> String {
        var headers = [layout.rowHeader]
        for group in layout.groups {
            headers += group.subheaders.map { group.subheaders.count == 1 ? "\(group.header) (\($0))" : "\(group.header) \($0)" }
        }
        var lines = ["**\(layout.caption)**", ""]
        lines.append("| " + headers.joined(separator: " | ") + " |")
        lines.append("|" + headers.indices.map { $0 == 0 ? " --- |" : " ---: |" }.joined())
        for row in layout.rows {
            let cells = [escape(row.label)] + row.cells.map(cell)
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        lines.append("")
        for note in layout.footnotes {
            lines.append(note.mark.isEmpty ? note.text : "\(note.mark) \(note.text)")
            lines.append("")
        }
        return lines.joined(separator: "\n")
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

/// A LaTeX document holding one table, typeset with booktabs; it compiles with pdflatex
/// on its own, and the `table` environment inside can be pasted into a paper.
public enum LatexTable {
    public static func render(_ result: TableResult, volatileFile: String? = nil) -> String {
        render(TableLayout(result, volatileFile: volatileFile))
    }

    static func render(_ layout: TableLayout) -> String {
        var lines = [
            "\\documentclass{article}",
            "\\usepackage[T1]{fontenc}",
            "\\usepackage[utf8]{inputenc}",
            "\\usepackage{booktabs}",
            "\\usepackage{graphicx}",
            "\\usepackage[a4paper,margin=2cm]{geometry}",
            "\\begin{document}",
            "\\begin{table}[ht]",
            "\\renewcommand{\\thetable}{\(layout.numeral)}",
            "\\centering",
            "\\caption{\(escape(layout.title))}",
            // Wide tables (Table IV) shrink to the text width; narrow ones keep their size.
            "\\resizebox{\\ifdim\\width>\\textwidth\\textwidth\\else\\width\\fi}{!}{%",
            "\\begin{tabular}{l" + layout.groups.map { String(repeating: "r", count: $0.subheaders.count) }.joined(separator: "") + "}",
            "\\toprule",
        ]
        var groupHeader = [""]
        var rules: [String] = []
        var first = 2
        for group in layout.groups {
            let width = group.subheaders.count
            groupHeader.append(width == 1 ? escape(group.header) : "\\multicolumn{\(width)}{c}{\(escape(group.header))}")
            if width > 1 { rules.append("\\cmidrule(lr){\(first)-\(first + width - 1)}") }
            first += width
        }
        lines.append(groupHeader.joined(separator: " & ") + " \\\\")
        if !rules.isEmpty { lines.append(rules.joined()) }
        let subheaders = [escape(layout.rowHeader)] + layout.groups.flatMap { group in
            group.subheaders.map { $0 == "Δ" ? "$\\Delta$" : escape($0) }
        }
        lines.append(subheaders.joined(separator: " & ") + " \\\\")
        lines.append("\\midrule")
        for row in layout.rows {
            lines.append(([escape(row.label)] + row.cells.map(cell)).joined(separator: " & ") + " \\\\")
        }
        lines.append("\\bottomrule")
        lines.append("\\end{tabular}}")
        if !layout.footnotes.isEmpty {
            lines.append("\\par\\smallskip\\footnotesize")
            for note in layout.footnotes {
                let mark = note.mark.isEmpty ? "" : "\(markup(note.mark)) "
                lines.append("\\noindent \(mark)\(escape(note.text))\\par")
            }
        }
        lines += ["\\end{table}", "\\end{document}", ""]
        return lines.joined(separator: "\n")
    }

    private static func cell(_ cell: TableLayout.Cell) -> String {
        var text = cell.text == TableLayout.missing ? "---" : escape(cell.text)
        if cell.text.hasPrefix("-") { text = "$-$" + text.dropFirst() }
        if cell.text.hasPrefix("+") { text = "$+$" + text.dropFirst() }
        if cell.bold { text = "\\textbf{\(text)}" }
        if let mark = cell.mark { text += markup(mark) }
        return text
    }

    private static func markup(_ mark: String) -> String {
        mark == TableLayout.filledMark ? "$^{\\dagger}$" : "$^{\\mathrm{\(mark)}}$"
    }

    /// Escapes LaTeX's special characters in running text.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": out += "\\\(character)"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "−": out += "$-$"
            case "Δ": out += "$\\Delta$"
            case "—": out += "---"
            default: out.append(character)
            }
        }
        return out
    }
}

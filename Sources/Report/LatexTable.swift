/// LaTeX for the tables: `render` gives a fragment (the `table` environment alone) that a
/// paper `\input`s into any document loading booktabs; `document` gives `tables.tex`, a
/// standalone article that inputs the fragments. Fragments are plain ASCII, so they need
/// neither inputenc nor fontenc.
///
/// Layout: with intervals a cell reads "74.12 ± 0.31 (n=2)", so a row of the paper's shape
/// (top-1 and top-5 side by side, four of each in Table IV) would be two to four times the
/// width of a page. Each paper column is a panel instead, stacked in one tabular with the
/// sub-columns ours / paper / Δ / verdict, which fits a standard article's text width at
/// \small.
public enum LatexTable {
    public static func render(_ result: TableResult, volatileFile: String? = nil) -> String {
        render(TableLayout(result, volatileFile: volatileFile))
    }

    /// `tables.tex`: an article loading booktabs (and T1/utf8) that `\input`s each fragment
    /// ("table1" for table1.tex), in order. It compiles with pdflatex.
    public static func document(inputs: [String], title: String) -> String {
        var lines = [
            "\\documentclass{article}",
            "\\usepackage[T1]{fontenc}",
            "\\usepackage[utf8]{inputenc}",
            "\\usepackage{booktabs}",
            "\\begin{document}",
            "\\section*{\(escape(title))}",
        ]
        lines += inputs.map { "\\input{\($0)}" }
        lines += ["\\end{document}", ""]
        return lines.joined(separator: "\n")
    }

    static func render(_ layout: TableLayout) -> String {
        let columns = TableLayout.measuredSubheaders
        var lines = [
            "\\begin{table}[htbp]",
            // Inside the environment: the numeral, size and spacing end with it.
            "\\renewcommand{\\thetable}{\(layout.numeral)}",
            "\\centering",
            "\\small",
            "\\setlength{\\tabcolsep}{3pt}",
            "\\caption{\(escape(layout.title))}",
            "\\begin{tabular}{l" + String(repeating: "r", count: columns.count - 1) + "c}",
            "\\toprule",
            // The verdict column has a mark per cell, explained in the notes: no header to widen it.
            row([escape(layout.rowHeader)] + columns.map { $0 == "verdict" ? "" : escape($0) }),
        ]
        for (index, group) in layout.groups.enumerated() {
            lines.append("\\midrule")
            lines.append("\\multicolumn{\(columns.count + 1)}{l}{\\emph{\(escape(group.header))}} \\\\")
            for tableRow in layout.rows {
                // A volatile group has only some sub-columns: each cell goes under its own name.
                let cells = columns.map { name in
                    group.subheaders.firstIndex(of: name).map { cell(tableRow.cells[index][$0]) } ?? ""
                }
                lines.append(row([escape(tableRow.label)] + cells))
            }
        }
        lines += ["\\bottomrule", "\\end{tabular}"]
        if !layout.footnotes.isEmpty {
            lines.append("\\par\\smallskip\\footnotesize")
            for note in layout.footnotes {
                let mark = note.mark.isEmpty ? "" : "\(markup(note.mark)) "
                lines.append("\\noindent \(mark)\(escape(note.text))\\par")
            }
        }
        if !layout.claims.isEmpty {
            lines += [
                "\\par\\medskip",
                "\\begin{tabular}{@{}p{0.48\\linewidth}rrl@{}}",
                "\\toprule",
                row(TableLayout.claimHeaders.map(escape)),
                "\\midrule",
            ]
            lines += layout.claims.map {
                row([escape($0.text), number($0.paper), number($0.ours), escape($0.verdict)])
            }
            lines += ["\\bottomrule", "\\end{tabular}"]
        }
        if !layout.claimNotes.isEmpty {
            lines.append("\\par\\smallskip\\footnotesize")
            lines += layout.claimNotes.map { "\\noindent \(escape($0))\\par" }
        }
        lines += ["\\end{table}", ""]
        return lines.joined(separator: "\n")
    }

    private static func row(_ cells: [String]) -> String { cells.joined(separator: " & ") + " \\\\" }

    private static func cell(_ cell: TableLayout.Cell) -> String {
        var text = cell.text == TableLayout.missing ? "---" : number(cell.text)
        if cell.bold { text = "\\textbf{\(text)}" }
        if let mark = cell.mark { text += markup(mark) }
        return text
    }

    /// A number with its sign in math mode, so "-" prints as a minus, not a hyphen.
    private static func number(_ text: String) -> String {
        for sign in ["-", "+"] where text.hasPrefix(sign) { return "$\(sign)$" + escape(String(text.dropFirst())) }
        return escape(text)
    }

    private static func markup(_ mark: String) -> String {
        mark == TableLayout.filledMark ? "$^{\\dagger}$" : "$^{\\mathrm{\(mark)}}$"
    }

    /// Running text as ASCII LaTeX: special characters escaped, the few non-ASCII ones the
    /// tables use spelled with commands that need no package (the verdict marks ✓ ↑ ↓ become
    /// $\approx$ $\uparrow$ $\downarrow$). `|`, `<` and `>` go to math mode: in the default OT1
    /// encoding they print as other glyphs.
    static func escape(_ text: String) -> String {
        text.reduce(into: "") { out, character in
            if let spelling = spellings[character] { out += spelling } else { out.append(character) }
        }
    }

    static let spellings: [Character: String] = [
        "\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#", "_": "\\_", "{": "\\{", "}": "\\}",
        "~": "\\textasciitilde{}", "^": "\\textasciicircum{}", "|": "$|$", "<": "$<$", ">": "$>$",
        "−": "$-$", "Δ": "$\\Delta$", "—": "---", "±": "$\\pm$", "·": "$\\cdot$", "√": "$\\surd$", "²": "$^2$",
        "≤": "$\\le$", "✓": "$\\approx$", "↑": "$\\uparrow$", "↓": "$\\downarrow$", "†": "$\\dagger$",
    ]
}

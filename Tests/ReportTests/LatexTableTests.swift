import Foundation
import TestSupport
import XCTest

@testable import Report

final class LatexTableTests: XCTestCase {
    func testFragmentIsATableEnvironmentInASCII() {
        let text = LatexTable.render(VerdictTests.table3)
        XCTAssertTrue(text.hasPrefix("\\begin{table}"), text)
        XCTAssertTrue(text.hasSuffix("\\end{table}\n"), text)
        XCTAssertFalse(
            text.contains("\\documentclass") || text.contains("\\begin{document}") || text.contains("\\usepackage"),
            text)
        XCTAssertFalse(text.contains("\\resizebox"), text)
        XCTAssertTrue(text.unicodeScalars.allSatisfy(\.isASCII), "a fragment needs no inputenc")
        XCTAssertTrue(text.contains("\\toprule") && text.contains("\\midrule") && text.contains("\\bottomrule"))
        XCTAssertTrue(text.contains("Refinement & ours & paper & $\\Delta$ &  \\\\"), text)
        XCTAssertTrue(text.contains("\\multicolumn{5}{l}{\\emph{Top-5}} \\\\"), text)
        XCTAssertTrue(
            text.contains("Baseline & 74.50 $\\pm$ 0.71 (n=2) & 74.92 & $-$0.42 $\\pm$ 1.00 & $\\approx$ \\\\"), text)
        XCTAssertTrue(
            text.contains(
                "+ label smoothing & 79.20 $\\pm$ 0.20 (n=3) & 78.38 & $+$0.82 $\\pm$ 0.50 & $\\uparrow$ \\\\"), text)
        XCTAssertTrue(
            text.contains(
                "+ cosine decay improves on Baseline by +1.07 points & $+$1.07 & $+$2.00 $\\pm$ 1.41 & supported \\\\"),
            text)
        XCTAssertEqual(LatexTable.escape("50% of a_b & c#"), "50\\% of a\\_b \\& c\\#")
        XCTAssertEqual(LatexTable.escape("|Δ| ≤ h ✓ ↓"), "$|$$\\Delta$$|$ $\\le$ h $\\approx$ $\\downarrow$")
    }

    func testDocumentInputsEveryFragment() {
        let text = LatexTable.document(inputs: ["table1", "table3"], title: "repro tables, profile smoke_x")
        XCTAssertTrue(text.hasPrefix("\\documentclass{article}"), text)
        XCTAssertTrue(text.contains("\\usepackage{booktabs}"), text)
        XCTAssertTrue(
            text.contains(
                "\\section*{repro tables, profile smoke\\_x}\n\\input{table1}\n\\input{table3}\n\\end{document}\n"),
            text)
    }

    /// Every table, with wide cells (three seeds each, where two-digit spreads widen the
    /// ± column), as fragments in a document that loads only booktabs: each compiles, and
    /// no line of a paper table overflows the default article width. Then tables.tex with all.
    func testFragmentsAndDocumentCompileWithPdflatex() throws {
        let pdflatex = ["/usr/bin/pdflatex", "/usr/local/bin/pdflatex"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let pdflatex else {
            throw XCTSkip("pdflatex is not installed (apt-get install texlive-latex-recommended)")
        }
        let scratch = try ScratchDirectory("latex")
        let directory = scratch.url
        func write(_ text: String, _ name: String) throws {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        func compile(_ name: String) throws -> (status: Int32, log: String) {
            let run = try TestProcess.run(
                URL(fileURLWithPath: pdflatex), ["-interaction=nonstopmode", "-halt-on-error", name], in: directory)
            return (run.status, run.output)
        }
        let tables = RepoPaper.paper.tables + [RepoPaper.paper.text]
        for paper in tables {
            let ours = paper.values.enumerated().map { row, values in
                values.indices.map { column -> Estimate? in
                    row == 0 && column == 0 ? nil : Estimate(values: [60.25, 71.5 + Double(column), 82.75])
                }
            }
            let result = TableResult(
                paper: paper, ours: ours, rowNotes: [paper.rows[0]: "not run_here & 100%"], profile: "x_y")
            try write(LatexTable.render(result, volatileFile: "\(paper.id)_timing.md"), "\(paper.id).tex")
            let main = "only-\(paper.id).tex"
            try write(
                "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n"
                    + "\\input{\(paper.id)}\n\\end{document}\n",
                main)
            let (status, log) = try compile(main)
            XCTAssertEqual(status, 0, "\(paper.id).tex does not compile:\n\(log.suffix(2000))")
            // The text-only results have long labels and are shown in the HTML report only.
            if paper.id != RepoPaper.paper.text.id {
                XCTAssertFalse(
                    log.contains("Overfull \\hbox"), "\(paper.id).tex is wider than the text:\n\(log.suffix(3000))")
            }
        }
        try write(LatexTable.document(inputs: tables.map(\.id), title: "repro tables (profile x_y)"), "tables.tex")
        let (status, log) = try compile("tables.tex")
        XCTAssertEqual(status, 0, "tables.tex does not compile:\n\(log.suffix(2000))")
    }
}

import Foundation
@testable import Report
import XCTest

final class TableRenderTests: XCTestCase {
    /// Table III with made-up figures of ours.
    let table3 = TableResult(
        paper: PaperTables.table3,
        ours: [[71.5, 91.25], [72.75, 92.0], [74.0, 92.5], [74.5, 93.0], [75.999, 93.5]],
        profile: "test")

    func testMarkdownShowsOursPaperAndDifference() {
        let text = MarkdownTable.render(table3)
        XCTAssertTrue(text.contains("**Table III. Training refinements to CIFAR ResNet56 (repro, profile test)**"), text)
        XCTAssertTrue(text.contains("| Refinement | Top-1 ours | Top-1 paper | Top-1 Δ | Top-5 ours | Top-5 paper | Top-5 Δ |"), text)
        XCTAssertTrue(text.contains("| Baseline | 71.50 | 74.92 | -3.42 | 91.25 | 95.66 | -4.41 |"), text)
        XCTAssertTrue(text.contains("| + distillation | 76.00 | 80.34 | -4.34 | 93.50 | 95.75 | -2.25 |"), text)
    }

    func testEmptyPaperCellsAreFilledAndMarked() {
        let ours: [[Double?]] = [[75.0, 76.0, 76.5, 77.0], [75.1, 75.2, 75.3, 75.4], [76.0, 77.0, 76.25, 76.5]]
        let text = MarkdownTable.render(TableResult(paper: PaperTables.table4, ours: ours, profile: "test"))
        // step decay, [30,60,90], 5 warm-up: the paper's "baseline setting", filled by us.
        XCTAssertTrue(text.contains("| step decay | 75.00 † | — a |  | 76.00 | 76.00 | 0.00 |"), text)
        XCTAssertTrue(text.contains("a baseline setting from [1], not collected"), text)
        XCTAssertTrue(text.contains("† the paper has no number here; the figure is ours"), text)
        XCTAssertTrue(text.contains("**76.99**"), "the paper's bold cell stays bold: \(text)")
    }

    func testVolatileColumnsStayOutOfTheHashedTable() {
        let ours: [[Double?]] = (0..<5).map { _ in [70.0, 90.0, 12.5] }
        let text = MarkdownTable.render(TableResult(paper: PaperTables.table2, ours: ours, profile: "test"),
                                        volatileFile: "table2_timing.md")
        XCTAssertFalse(text.contains("12.5"), text)
        XCTAssertTrue(text.contains("Time/epoch (s) (paper)"), text)
        XCTAssertTrue(text.contains("31.639"), text)
        XCTAssertTrue(text.contains("see table2_timing.md"), text)
        let timing = TimingTable.markdown(PaperTables.table2, ours: ours, profile: "test")
        XCTAssertTrue(timing.contains("| NAG (Baseline) | 12.500 | 31.639 |"), timing)
    }

    func testRowsWithoutOurFigureSayWhy() {
        let result = TableResult(paper: PaperTables.table1, ours: [[nil, nil], [72.0, 91.0]],
                                 rowNotes: ["ResNet50 [1]": "ImageNet result quoted from [1]; not a CIFAR-100 run"], profile: "test")
        let text = MarkdownTable.render(result)
        XCTAssertTrue(text.contains("| ResNet50 [1] | — a | 75.87 |  |"), text)
        XCTAssertTrue(text.contains("a ImageNet result quoted from [1]; not a CIFAR-100 run"), text)
    }

    func testLatexEscapesAndUsesBooktabs() {
        let text = LatexTable.render(table3)
        XCTAssertTrue(text.contains("\\usepackage{booktabs}"))
        XCTAssertTrue(text.contains("\\toprule") && text.contains("\\midrule") && text.contains("\\bottomrule"))
        XCTAssertTrue(text.contains("\\multicolumn{3}{c}{Top-1}"), text)
        XCTAssertTrue(text.contains("Baseline & 71.50 & 74.92 & $-$3.42"), text)
        XCTAssertEqual(LatexTable.escape("50% of a_b & c#"), "50\\% of a\\_b \\& c\\#")
    }

    /// The LaTeX compiles when pdflatex is installed (`.ci/run` installs it).
    func testLatexCompilesWithPdflatex() throws {
        let pdflatex = ["/usr/bin/pdflatex", "/usr/local/bin/pdflatex"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let pdflatex else { throw XCTSkip("pdflatex is not installed (apt-get install texlive-latex-recommended)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("latex-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ours4: [[Double?]] = [[75.0, 76.0, 76.5, 77.0], [75.1, 75.2, 75.3, nil], [76.0, 77.0, 76.25, 76.5]]
        let documents = [
            ("t3.tex", LatexTable.render(table3)),
            ("t4.tex", LatexTable.render(TableResult(paper: PaperTables.table4, ours: ours4, profile: "x_y"))),
            ("t2.tex", LatexTable.render(TableResult(paper: PaperTables.table2, ours: (0..<5).map { _ in [70, nil, 3] }, profile: "t"), volatileFile: "table2_timing.md")),
        ]
        for (name, text) in documents {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: pdflatex)
            process.arguments = ["-interaction=nonstopmode", "-halt-on-error", name]
            process.currentDirectoryURL = directory
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(name) does not compile:\n\(log.suffix(2000))")
        }
    }
}

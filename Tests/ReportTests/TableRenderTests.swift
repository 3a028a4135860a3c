import Foundation
import XCTest

@testable import Report

/// One seed per cell: the figures the tests write by hand.
func oneSeed(_ values: [[Double?]]) -> [[Estimate?]] {
    values.map { $0.map { $0.map(Estimate.init) } }
}

final class TableRenderTests: XCTestCase {
    let table3 = VerdictTests.table3

    func testMarkdownShowsEstimatesDifferencesAndVerdicts() {
        let text = MarkdownTable.render(table3)
        XCTAssertTrue(
            text.contains("**Table III. Training refinements to CIFAR ResNet56 (repro, profile test)**"), text)
        XCTAssertTrue(
            text.contains(
                "| Refinement | Top-1 ours | Top-1 paper | Top-1 Δ | Top-1 verdict | Top-5 ours | Top-5 paper | "
                    + "Top-5 Δ | Top-5 verdict |"
            ), text)
        XCTAssertTrue(
            text.contains(
                "| Baseline | 74.50 ± 0.71 (n=2) | 74.92 | -0.42 ± 1.00 | ✓ | 95.00 | 95.66 | -0.66 ± 0.50 | ↓ |"), text
        )
        XCTAssertTrue(
            text.contains(
                "| + label smoothing | 79.20 ± 0.20 (n=3) | 78.38 | +0.82 ± 0.50 | ↑ | 94.70 | 94.70 | 0.00 ± 0.50 | "
                    + "✓ |"
            ), text)
        XCTAssertTrue(text.contains("| + mixup | — | 79.10 |  |  | — | 95.18 |  |  |"), text)
        XCTAssertTrue(text.contains("h = max(2·std/√n, 0.50)"), text)
        XCTAssertTrue(text.contains("A figure of ours without ± is one seed"), text)
    }

    func testMarkdownListsTheClaimsWithVerdicts() {
        let text = MarkdownTable.render(table3)
        XCTAssertTrue(text.contains("| Claim (top-1) | paper | ours | verdict |\n| --- | ---: | ---: | --- |"), text)
        XCTAssertTrue(
            text.contains("| + cosine decay improves on Baseline by +1.07 points | +1.07 | +2.00 ± 1.41 | supported |"),
            text)
        XCTAssertTrue(
            text.contains("| + mixup improves on + label smoothing by +0.72 points | +0.72 | — | not measured |"), text)
        let table1 = MarkdownTable.render(
            TableResult(
                paper: RepoPaper.table("table1"),
                ours: oneSeed([[nil, nil], [74.0, 95.0]]), profile: "t"))
        XCTAssertFalse(table1.contains("| Claim"), table1)
        XCTAssertTrue(table1.contains("No claims: ResNet50 [1] is an ImageNet number"), table1)
    }

    func testEveryMultiSeedTableHasNoOneSeedNote() {
        let seeds = RepoPaper.table("table3").values
            .map { $0.map { $0.map { Estimate(values: [$0 - 0.25, $0 + 0.25]) } } }
        let text = MarkdownTable.render(TableResult(paper: RepoPaper.table("table3"), ours: seeds, profile: "t"))
        XCTAssertFalse(text.contains("one seed"), text)
        XCTAssertTrue(text.contains("| Baseline | 74.92 ± 0.35 (n=2) | 74.92 | 0.00 ± 0.50 | ✓ |"), text)
    }

    func testEmptyPaperCellsAreFilledAndMarked() {
        let ours = oneSeed([[75.0, 76.0, 76.5, 77.0], [75.1, 75.2, 75.3, 75.4], [76.0, 77.0, 76.25, 76.5]])
        let text = MarkdownTable.render(TableResult(paper: RepoPaper.table("table4"), ours: ours, profile: "test"))
        // step decay, [30,60,90], 5 warm-up: the paper's "baseline setting", filled by us.
        XCTAssertTrue(text.contains("| step decay | 75.00 † | — a |  |  | 76.00 | 76.00 | 0.00 ± 0.50 | ✓ |"), text)
        XCTAssertTrue(text.contains("a baseline setting from [1], not collected"), text)
        XCTAssertTrue(text.contains("† the paper has no number here; the figure is ours"), text)
        XCTAssertTrue(text.contains("**76.99**"), "the paper's bold cell stays bold: \(text)")
    }

    func testVolatileColumnsStayOutOfTheHashedTable() {
        let ours = oneSeed((0..<5).map { _ in [70.0, 90.0, nil] })
        let text = MarkdownTable.render(
            TableResult(paper: RepoPaper.table("table2"), ours: ours, profile: "test"),
            volatileFile: "table2_timing.md")
        XCTAssertTrue(text.contains("Time/epoch (s) (paper)"), text)
        XCTAssertTrue(text.contains("31.639"), text)
        XCTAssertTrue(text.contains("see table2_timing.md"), text)
        XCTAssertTrue(
            text.contains("(paper base 74.92, Table I's ResNet56) | -2.18 | 0.00 ± 0.71 | inconclusive |"), text)
        let timing = TimingTable.markdown(
            RepoPaper.table("table2"), ours: (0..<5).map { _ in [nil, nil, 12.5] },
            profile: "test")
        XCTAssertTrue(timing.contains("| NAG (Baseline) | 12.500 | 31.639 |"), timing)
    }

    func testRowsWithoutOurFigureSayWhy() {
        let result = TableResult(
            paper: RepoPaper.table("table1"), ours: oneSeed([[nil, nil], [72.0, 91.0]]),
            rowNotes: ["ResNet50 [1]": "ImageNet result quoted from [1]; not a CIFAR-100 run"], profile: "test")
        let text = MarkdownTable.render(result)
        XCTAssertTrue(text.contains("| ResNet50 [1] | — a | 75.87 |  |  | — a | 92.70 |  |  |"), text)
        XCTAssertTrue(text.contains("a ImageNet result quoted from [1]; not a CIFAR-100 run"), text)
    }

    func testRenderingIsByteStable() {
        XCTAssertEqual(MarkdownTable.render(table3), MarkdownTable.render(table3))
        XCTAssertEqual(LatexTable.render(table3), LatexTable.render(table3))
    }
}

import Foundation
import XCTest

@testable import Report

final class HTMLReportTests: XCTestCase {
    let chart = LineChart(
        title: "Test top-1 <per epoch>", xLabel: "epoch", yLabel: "top-1 (%)",
        series: [
            .init(name: "baseline", points: [(1, 10), (2, 30), (3, 45.5)]),
            .init(name: "+ cosine & LS", points: [(1, 12), (2, 33), (3, 47)]),
        ])

    func testChartIsSelfContainedSVG() {
        let svg = chart.svg()
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.contains("Test top-1 &lt;per epoch&gt;"))
        XCTAssertTrue(svg.contains("+ cosine &amp; LS"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertFalse(
            svg.contains("http://")
                && svg.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
        XCTAssertEqual(svg, chart.svg(), "byte-stable")
    }

    func testTicksAreRound() {
        XCTAssertEqual(LineChart.ticks(0, 100), [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(LineChart.ticks(0.3, 0.92), [0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(LineChart.ticks(5, 5).first, 4.4)
        XCTAssertEqual(LineChart.ticks(5, 5).last, 5.6)
    }

    func testReportHoldsEveryTableAndChart() {
        let tables = RepoPaper.paper.tables.map { paper in
            TableResult(
                paper: paper, ours: oneSeed(paper.values.map { $0.map { $0.map { $0 - 1 } } }), profile: "smoke")
        }
        let html = HTMLReport(profile: "smoke", tables: tables, charts: [chart], notes: ["numeric environment: test"])
            .render()
        for numeral in ["I", "II", "III", "IV", "V"] {
            XCTAssertTrue(html.contains("<caption>Table \(numeral). "), numeral)
        }
        XCTAssertTrue(html.contains("<svg"))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<link"))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.hasSuffix("</html>\n"))
    }

    func testReportOpensWithTheVerdictSummary() {
        let html = HTMLReport(profile: "t", tables: [VerdictTests.table3, VerdictTests.table5], charts: [], notes: [])
            .render()
        let summary = html.range(of: "<strong>5 of 22 numbers reproduced, 2 of 11 claims supported</strong>")
        XCTAssertNotNil(summary, html)
        XCTAssertTrue(
            html.contains(
                "numbers: 4 higher than paper, 1 lower than paper, 12 not measured; claims: 1 contradicted, 1 "
                    + "inconclusive, 7 not measured"
            ), html)
        XCTAssertTrue(html.contains("interval: mean ± max(2·std/√n, 0.50 points); one seed uses the floor"), html)
        XCTAssertLessThan(
            summary!.lowerBound, html.range(of: "<table>")!.lowerBound, "the summary comes before the tables")
        XCTAssertTrue(
            html.contains(
                "<td>+ cosine decay improves on Baseline by +1.07 points</td><td>+1.07</td><td>+2.00 ± "
                    + "1.41</td><td>supported</td>"
            ), html)
        XCTAssertEqual(html.components(separatedBy: "<figure>").count - 1, 2, "an interval chart per table")
    }

    func testIntervalChartDrawsEachCellWithItsInterval() {
        let chart = IntervalChart(VerdictTests.table3)
        XCTAssertEqual(chart.panels.map(\.title), ["Top-1", "Top-5"])
        XCTAssertEqual(chart.panels.map(\.entries.count), [5, 5], "every cell has a paper value")
        let svg = chart.svg()
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        // 7 estimates drawn as bars with a dot, one more in the legend for each of the 4 colours
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 7 + 4)
        // 10 paper diamonds and the legend's
        XCTAssertEqual(svg.components(separatedBy: "Z\" fill=\"none\" stroke=\"#000\"").count - 1, 11)
        XCTAssertTrue(
            svg.contains("<title>Baseline: ours 74.50 ± 0.71 (n=2), interval ± 1.00; paper 74.92: reproduced</title>"),
            svg)
        XCTAssertTrue(svg.contains("<title>+ mixup: ours: not measured; paper 79.10: not measured</title>"), svg)
        XCTAssertEqual(svg.components(separatedBy: "fill=\"#d62728\"").count - 1, 2, "one lower cell and the legend")
        XCTAssertEqual(svg, IntervalChart(VerdictTests.table3).svg(), "byte-stable")
        // Every dot, the legend's too, sits in the middle of its bar, inside the canvas.
        let bars = try! NSRegularExpression(
            pattern: "<path d=\"M([0-9.]+) [0-9.]+H([0-9.]+)[^>]*/><circle cx=\"([0-9.]+)\"")
        let matches = bars.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { match in
            (1...3).map { Double(svg[Range(match.range(at: $0), in: svg)!])! }
        }
        XCTAssertEqual(matches.count, 11)
        for bar in matches {
            XCTAssertEqual(bar[2], (bar[0] + bar[1]) / 2, accuracy: 0.1, "\(bar)")
            XCTAssertTrue(bar.allSatisfy { 0 < $0 && $0 < chart.width }, "\(bar)")
        }
    }

    func testIntervalChartLeavesOutVolatileColumnsAndEmptyCells() {
        let ours = oneSeed([[75.0, nil, 76.5, 77.0], [nil, 75.2, 75.3, nil], [76.0, 77.0, nil, 76.5]])
        let chart = IntervalChart(TableResult(paper: RepoPaper.table("table4"), ours: ours, profile: "t"))
        // [40,80], 20: poly has neither a paper value nor ours; [40,80], 5: cosine likewise
        XCTAssertEqual(chart.panels.map(\.entries.count), [3, 3, 2, 2])
        let table2 = IntervalChart(
            TableResult(
                paper: RepoPaper.table("table2"),
                ours: oneSeed((0..<5).map { _ in [70, 90, nil] }), profile: "t"))
        XCTAssertEqual(table2.panels.map(\.title), ["Top-1", "Top-5"])
    }
}

import Foundation
@testable import Report
import XCTest

final class HTMLReportTests: XCTestCase {
    let chart = LineChart(title: "Test top-1 <per epoch>", xLabel: "epoch", yLabel: "top-1 (%)", series: [
        .init(name: "baseline", points: [(1, 10), (2, 30), (3, 45.5)]),
        .init(name: "+ cosine & LS", points: [(1, 12), (2, 33), (3, 47)]),
    ])

    func testChartIsSelfContainedSVG() {
        let svg = chart.svg()
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.contains("Test top-1 &lt;per epoch&gt;"))
        XCTAssertTrue(svg.contains("+ cosine &amp; LS"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertFalse(svg.contains("http://") && svg.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http://"))
        XCTAssertEqual(svg, chart.svg(), "byte-stable")
    }

    func testTicksAreRound() {
        XCTAssertEqual(LineChart.ticks(0, 100), [0, 20, 40, 60, 80, 100])
        XCTAssertEqual(LineChart.ticks(0.3, 0.92), [0.2, 0.4, 0.6, 0.8, 1.0])
        XCTAssertEqual(LineChart.ticks(5, 5).first, 4.4)
        XCTAssertEqual(LineChart.ticks(5, 5).last, 5.6)
    }

    func testReportHoldsEveryTableAndChart() {
        let tables = PaperTables.all.map { paper in
            TableResult(paper: paper, ours: paper.values.map { $0.map { $0.map { $0 - 1 } } }, profile: "smoke")
        }
        let html = HTMLReport(profile: "smoke", tables: tables, charts: [chart], notes: ["numeric environment: test"]).render()
        for numeral in ["I", "II", "III", "IV", "V"] {
            XCTAssertTrue(html.contains("<caption>Table \(numeral). "), numeral)
        }
        XCTAssertTrue(html.contains("<svg"))
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("<link"))
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.hasSuffix("</html>\n"))
    }
}

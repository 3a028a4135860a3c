import Foundation
import XCTest

@testable import Report

/// The paper file: its committed content as the model holds it, and the errors a damaged
/// copy gives, each at the file and line of the fault.
final class PaperFileTests: XCTestCase {
    static let text: String = {
        do { return try String(contentsOf: RepoPaper.file, encoding: .utf8) } catch { fatalError("\(error)") }
    }()

    /// The committed file with `old` (which must occur once) replaced.
    private func edited(_ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        XCTAssertEqual(Self.text.components(separatedBy: old).count, 2, "\(old) occurs once", file: file, line: line)
        return Self.text.replacingOccurrences(of: old, with: new)
    }

    /// The 1-based line of the first line holding `text` in `document`.
    private func line(of text: String, in document: String) -> Int {
        (document.components(separatedBy: "\n").firstIndex { $0.contains(text) } ?? -1) + 1
    }

    private func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> PaperFileError? {
        do {
            _ = try Paper.parse(text, file: RepoPaper.name)
            XCTFail("the edited file parsed", file: file, line: line)
            return nil
        } catch let error as PaperFileError {
            XCTAssertEqual(error.file, RepoPaper.name, file: file, line: line)
            return error
        } catch {
            XCTFail("not a PaperFileError: \(error)", file: file, line: line)
            return nil
        }
    }

    func testTheCommittedFileHoldsTheTablesAndTheirShapes() {
        let paper = RepoPaper.paper
        XCTAssertEqual(paper.tables.map(\.id), ["table1", "table2", "table3", "table4", "table5"])
        XCTAssertEqual(paper.tables.map(\.numeral), ["I", "II", "III", "IV", "V"])
        XCTAssertEqual(paper.table("IV")?.id, "table4")
        XCTAssertEqual(RepoPaper.table("table4").layout, .perCell(metric: "top1"))
        XCTAssertEqual(RepoPaper.table("table4").stagesPerRow, 4)
        XCTAssertEqual(RepoPaper.table("table3").layout, .perRow)
        XCTAssertEqual(RepoPaper.table("table3").metric(column: 1), "top5")
        XCTAssertEqual(RepoPaper.table("table2").columns.map(\.isVolatile), [false, false, true])
        XCTAssertEqual(RepoPaper.table("table2").paperValue(row: "Nadam", column: "top5"), nil)
        XCTAssertEqual(RepoPaper.table("table2").paperValue(row: "Nadam", column: "seconds_per_epoch"), 150.799)
        XCTAssertEqual(RepoPaper.table("table1").quotedRows.keys.sorted(), ["ResNet50 [1]"])
        XCTAssertEqual(paper.text.rows.count, 5)
        XCTAssertEqual(paper.text.paperValue(row: "Teacher ResNeXt29 16x64d (cosine + LS)", column: "top1"), 87.17)
    }

    func testClaimsFollowTheNumbersInTheFile() throws {
        let paper = try Paper.parse(
            edited("\"+ cosine decay\": {top1: 75.99,", "\"+ cosine decay\": {top1: 76.25,"), file: "x.yaml")
        XCTAssertEqual(paper.table("table3")?.claims.map(\.paperDifference), [1.33, 2.13, 0.72, 1.24])
        XCTAssertEqual(paper.table("table3")?.claims.first?.text, "+ cosine decay improves on Baseline by +1.33 points")
    }

    func testAMalformedNumberIsNamedAtItsLine() {
        let text = edited("\"Adam\": {top1: 72.74,", "\"Adam\": {top1: 72.7x4,")
        let error = parseError(text)
        XCTAssertEqual(error?.line, line(of: "72.7x4", in: text))
        XCTAssertEqual(
            error?.message, "expected a number or null for 'top1' of row 'Adam' in table table2, found '72.7x4'")
        XCTAssertTrue(error?.description.hasPrefix("\(RepoPaper.name):\(line(of: "72.7x4", in: text)):") ?? false)
        // A quoted number is text, not a number the paper printed.
        XCTAssertEqual(parseError(edited("\"Adam\": {top1: 72.74,", "\"Adam\": {top1: \"72.74\","))?.line, error?.line)
    }

    func testACellWithoutANumberOrNullIsAnError() {
        let text = edited("\"ResNet56\": {top1: 74.92, top5: 95.66}", "\"ResNet56\": {top1: 74.92}")
        let error = parseError(text)
        XCTAssertEqual(error?.line, line(of: "\"ResNet56\": {top1: 74.92}", in: text))
        XCTAssertEqual(
            error?.message, "row 'ResNet56' of table table1 has no 'top5' (null for a cell the paper leaves empty)")
    }

    func testUnknownKeysAndNamesAreErrors() {
        let key = edited("row_header: Schedule", "row_heading: Schedule")
        XCTAssertEqual(parseError(key)?.line, line(of: "row_heading", in: key))
        XCTAssertTrue(
            parseError(key)?.message.hasPrefix("unknown key 'row_heading' in a table; known: id, numeral") ?? false)
        let row = edited("{row: step decay, column: p306090_w5, text:", "{row: stepdecay, column: p306090_w5, text:")
        XCTAssertEqual(parseError(row)?.line, line(of: "{row: stepdecay", in: row))
        XCTAssertTrue(
            parseError(row)?.message.hasPrefix("table table4 has no row 'stepdecay'; rows: step decay, ") ?? false)
    }

    func testAClaimNeedsBothNumbers() {
        let text = edited("      - {cell: [Nadam, top1], over:", "      - {cell: [Nadam, top5], over:")
        let error = parseError(text)
        XCTAssertEqual(error?.line, line(of: "[Nadam, top5]", in: text))
        XCTAssertTrue(
            error?.message.contains("needs both numbers; the paper leaves Nadam|top5") ?? false, error?.message ?? "")
    }

    func testALayoutPerCellNeedsItsMetric() {
        let text = edited("    metric: top1\n", "")
        XCTAssertEqual(
            parseError(text)?.message, "table table4: layout per_cell needs 'metric' (the one metric of every cell)")
    }

    func testYAMLSyntaxErrorsAndDuplicateTablesHaveALine() {
        let syntax = edited(
            "\"Vert. Spatial Mixup\": {top1: 79.50, top5: 95.64}", "\"Vert. Spatial Mixup\": {top1: 79.50, top5: 95.64")
        let error = parseError(syntax)
        XCTAssertTrue(error?.message.hasPrefix("YAML syntax error: ") ?? false, error?.message ?? "")
        XCTAssertGreaterThanOrEqual(error?.line ?? 0, line(of: "\"Vert. Spatial Mixup\": {top1", in: syntax))
        let twice = edited("  - id: table5\n", "  - id: table4\n")
        XCTAssertEqual(parseError(twice)?.message, "table 'table4' appears twice")
        let second = twice.components(separatedBy: "\n").lastIndex { $0 == "  - id: table4" }.map { $0 + 1 }
        XCTAssertEqual(parseError(twice)?.line, second)
    }
}

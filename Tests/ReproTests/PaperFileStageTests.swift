import Foundation
import Pipeline
import TestSupport
import XCTest

/// The paper file as a hashed input of the table stages, end to end: an edited number
/// re-keys the table and nothing else, a damaged file stops the load with its place.
final class PaperFileStageTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws {
        scratch = try ScratchDirectory("repro-paper-file")
    }

    override func tearDownWithError() throws {
        scratch = nil
    }

    private func project(_ name: String) throws -> PaperProject {
        try PaperProject.create(at: scratch.url.appendingPathComponent(name), epochs: 2)
    }

    /// The state `repro status` gives a stage ("up to date", "stale").
    private func state(_ stage: String, in status: String) -> String? {
        status.split(separator: "\n").first { $0.hasPrefix(stage + " ") }.map {
            $0.dropFirst(stage.count).trimmingCharacters(in: .whitespaces)
        }
    }

    func testANumberEditedInThePaperFileReKeysTheTableAndNothingElse() throws {
        let project = try project("rekey")
        let first = try project.run(["all"])
        XCTAssertEqual(first.status, 0, first.output)
        let before = try project.lock()
        // The same bytes written again change nothing.
        try Data(contentsOf: project.paperFile).write(to: project.paperFile)
        let unchanged = try project.run(["status"])
        XCTAssertEqual(state("table1", in: unchanged.output), "up to date", unchanged.output)

        try project.edit(
            "\"ResNet56\": {top1: 74.92, top5: 95.66}", "\"ResNet56\": {top1: 74.95, top5: 95.66}",
            in: project.paperFile)
        let status = try project.run(["status"])
        XCTAssertEqual(state("table1", in: status.output), "stale", status.output)
        XCTAssertTrue(status.output.contains("input artifacts/paper/paper_tables.yaml changed"), status.output)
        for stage in ["cifar100", "student", "student_eval"] {
            XCTAssertEqual(state(stage, in: status.output), "up to date", status.output)
        }

        let rerun = try project.run(["all"])
        XCTAssertEqual(rerun.status, 0, rerun.output)
        let after = try project.lock()
        XCTAssertNotEqual(after.stages["table1"]?.key, before.stages["table1"]?.key)
        for stage in ["cifar100", "student", "student_eval"] {
            XCTAssertEqual(after.stages[stage]?.key, before.stages[stage]?.key, stage)
        }
        let table = try String(
            contentsOf: project.root.appendingPathComponent("tables/paper/table1.md"), encoding: .utf8)
        XCTAssertTrue(table.contains("| 74.95 |"), table)
    }

    func testAMalformedNumberStopsTheLoadAtItsLine() throws {
        let project = try project("malformed")
        try project.edit("\"Adam\": {top1: 72.74,", "\"Adam\": {top1: 72.7.4,", in: project.paperFile)
        let text = try String(contentsOf: project.paperFile, encoding: .utf8)
        let line = try XCTUnwrap(text.components(separatedBy: "\n").firstIndex { $0.contains("72.7.4") }) + 1
        for command in [["all"], ["status"]] {
            let run = try project.run(command)
            XCTAssertEqual(run.status, 2, run.output)
            XCTAssertTrue(run.output.contains("artifacts/paper/paper_tables.yaml:\(line):"), run.output)
            XCTAssertTrue(
                run.output.contains(
                    "expected a number or null for 'top1' of row 'Adam' in table table2, found '72.7.4'"),
                run.output)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: project.lockFile.path), "nothing ran")
    }

    func testATableMissingFromThePaperFileIsNamedAtItsStage() throws {
        let project = try project("missing")
        try project.edit("table: table1,", "table: table6,")
        let run = try project.run(["all"])
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertTrue(run.output.contains("pipeline.yaml:9:"), run.output)
        XCTAssertTrue(
            run.output.contains(
                "stage 'table1': unknown table 'table6'; known: table1, table2, table3, table4, table5 "
                    + "(paper file artifacts/paper/paper_tables.yaml)"), run.output)
        // Table I gone from the file: Table II's claims take their base from it.
        try project.edit("table: table6,", "table: table1,")
        try project.edit("  - id: table1\n", "  - id: table_one\n", in: project.paperFile)
        let text = try String(contentsOf: project.paperFile, encoding: .utf8)
        let line =
            try XCTUnwrap(text.components(separatedBy: "\n").firstIndex { $0.contains("{cell: [Adam, top1]") }) + 1
        let gone = try project.run(["status"])
        XCTAssertEqual(gone.status, 2, gone.output)
        XCTAssertTrue(gone.output.contains("artifacts/paper/paper_tables.yaml:\(line):"), gone.output)
        XCTAssertTrue(
            gone.output.contains("paper_base names table 'table1', which is not listed before this one"), gone.output)
    }
}

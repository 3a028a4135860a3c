import Foundation
import TestSupport
import XCTest

/// What `repro` prints, whole: `--help` of every command, `dag` in its three formats, and
/// `status` and `all --dry-run` at each point of a small project's life (never run, up to
/// date, an input changed), against the text files in Golden/. Refresh them after a
/// deliberate change of output with
///
///     REPRO_UPDATE_GOLDEN=1 swift test -c release -Xswiftc -enable-testing --filter GoldenOutputTests
///
/// and review `git diff Tests/ReproTests/Golden` before committing.
final class GoldenOutputTests: XCTestCase {
    private static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden")
    private static let chain = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PipelineTests/Fixtures/chain")
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory("golden") }
    override func tearDownWithError() throws { scratch = nil }

    /// A fixed width, so that help text wraps the same on every terminal.
    private let environment = ["COLUMNS": "100"]

    /// stdout of `repro ARGUMENTS` in `directory` (the project's path spelt $PROJECT), which
    /// must exit with `status`.
    private func output(
        _ arguments: [String], in directory: URL? = nil, status: Int32 = 0,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        let run = try TestProcess.repro(arguments, in: directory, environment: environment, separateErrors: true)
        XCTAssertEqual(
            run.status, status, "repro \(arguments.joined(separator: " ")): \(run.errors)", file: file, line: line)
        return run.output.replacingOccurrences(of: scratch.url.path, with: "$PROJECT")
    }

    private func check(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try GoldenText.assertMatches(text, Self.golden.appendingPathComponent(name), file: file, line: line)
    }

    func testHelpOfEveryCommand() throws {
        try check(try output(["--help"]), "help.txt")
        for command in ["all", "stage", "status", "dag", "verify", "audit", "gc", "push", "pull", "bench", "parity"] {
            try check(try output([command, "--help"]), "help-\(command).txt")
        }
    }

    func testDagInEachFormat() throws {
        let project = scratch.url.appendingPathComponent("chain")
        try FileManager.default.copyItem(at: Self.chain, to: project)
        try check(try output(["dag"], in: project), "dag.txt")
        try check(try output(["dag", "--format", "dot"], in: project), "dag.dot")
        try check(try output(["dag", "--format", "mermaid"], in: project), "dag.mermaid")
    }

    func testStatusAndDryRunThroughAProjectsLife() throws {
        let project = scratch.url.appendingPathComponent("chain")
        try FileManager.default.copyItem(at: Self.chain, to: project)
        try check(try output(["status"], in: project), "status-never-run.txt")
        try check(try output(["all", "--dry-run"], in: project), "dry-run-never-run.txt")
        _ = try output(["all"], in: project)
        try check(try output(["status"], in: project), "status-up-to-date.txt")
        try check(try output(["all", "--dry-run"], in: project), "dry-run-up-to-date.txt")
        try "kiwi\n".write(to: project.appendingPathComponent("words.txt"), atomically: true, encoding: .utf8)
        try check(try output(["status"], in: project), "status-input-changed.txt")
        try check(try output(["status", "--profile", "shouting"], in: project), "status-other-profile.txt")
    }
}

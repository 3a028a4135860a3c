import Foundation
import TestSupport
import XCTest

/// The commands a new user copies: the README's code lines that call repro, and the ones
/// repro itself prints in its offline hint, run as printed under /bin/sh (only the
/// placeholder path replaced by a real archive) in a small project whose dataset stage is
/// `cifar100`. The README's lines are read from README.md, so a changed README is what
/// this test runs.
final class ReadmeCommandsTests: XCTestCase {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")
    static let placeholder = "/path/to/cifar-100-binary.tar.gz"

    private var scratch: ScratchDirectory!
    private var project: PaperProject!

    override func setUpWithError() throws {
        scratch = try ScratchDirectory("readme")
        project = try PaperProject.create(at: scratch.url.appendingPathComponent("project"))
        // `repro` on PATH, as an installed binary would be.
        let bin = scratch.url.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: bin.appendingPathComponent("repro"), withDestinationURL: TestProcess.repro)
    }

    override func tearDownWithError() throws {
        scratch = nil
    }

    /// The command lines of `text`: lines that start with `repro ` or set a variable for
    /// it (`NAME=value repro …`), indentation and trailing comments removed.
    static func commands(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            let command = line.trimmingCharacters(in: .whitespaces)
            let words = command.split(separator: " ")
            guard let call = words.firstIndex(of: "repro"),
                words[..<call].allSatisfy({ $0.contains("=") && $0.first?.isUppercase == true })
            else { return nil }
            return command.components(separatedBy: "  #").first!.trimmingCharacters(in: .whitespaces)
        }
    }

    /// Runs `command` as printed (the placeholder replaced) under /bin/sh in the project.
    private func runAsPrinted(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let real = command.replacingOccurrences(of: Self.placeholder, with: project.archive.path)
        // A fresh start for each: the command has to fetch, verify and run everything. The
        // paper file in artifacts/paper/ is an input, not state: it stays.
        let artifacts = project.root.appendingPathComponent("artifacts")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: artifacts.path)) ?? []
        for entry in entries where entry != "paper" {
            try? FileManager.default.removeItem(at: artifacts.appendingPathComponent(entry))
        }
        let result = try TestProcess.shell(real, in: project.root, environment: ["PATH": path])
        XCTAssertTrue(
            result.exited && result.status == 0, "\(command): \(result.description)\n\(result.output)", file: file,
            line: line)
        XCTAssertNotNil(try project.lock().stages["table1"], "\(command) ran every stage", file: file, line: line)
    }

    func testTheReadmesOfflineCommandsRun() throws {
        let commands = Self.commands(in: try String(contentsOf: Self.readme, encoding: .utf8))
            .filter { $0.contains(Self.placeholder) }
        XCTAssertEqual(
            commands.count, 2, "the README shows the --param and the environment variable forms: \(commands)")
        for command in commands { try runAsPrinted(command) }
    }

    /// The commands and `--param` examples in the README's prose (in backticks) are planned
    /// with `--dry-run` against the project's own pipeline.yaml: each must parse and resolve.
    func testTheReadmesInlineCommandsResolveInTheProject() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        // Backticked spans, messages ("…: expected an integer") left out.
        let spans = text.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            .filter { !$0.contains(": ") }
        let commands =
            spans.filter { $0.hasPrefix("repro all") || $0.hasPrefix("repro stage") }
            + spans.filter { $0.hasPrefix("--param ") }.map { "repro all " + $0 }
        XCTAssertGreaterThanOrEqual(commands.count, 4, "the README shows commands and --param examples: \(commands)")
        let repository = Self.readme.deletingLastPathComponent()
        let copy = scratch.url.appendingPathComponent("repository")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: repository.appendingPathComponent("pipeline.yaml"), to: copy.appendingPathComponent("pipeline.yaml"))
        for command in commands {
            let real = command.replacingOccurrences(of: "=FILE", with: "=" + project.archive.path) + " --dry-run"
            let result = try TestProcess.shell(real, in: copy, environment: ["PATH": path])
            XCTAssertTrue(result.exited && result.status == 0, "\(real): \(result.description)\n\(result.output)")
        }
    }

    /// `repro` on PATH first.
    private var path: String {
        scratch.url.appendingPathComponent("bin").path + ":"
            + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    }

    func testTheHintReproPrintsOfflineRuns() throws {
        // An unreachable mirror (the discard port) first: the fetch fails and repro prints its hint.
        try project.edit("url: [tiny.tar.gz]", "url: [\"http://127.0.0.1:9/cifar-100-binary.tar.gz\"]")
        let offline = try project.run(["all"])
        XCTAssertEqual(offline.status, 1, offline.output)
        let hint = Array(Set(Self.commands(in: offline.output)))  // printed as it fails and in the summary
        XCTAssertEqual(hint.count, 1, "the hint holds a repro command line: \(offline.output)")
        XCTAssertTrue(offline.output.contains("REPRO_CIFAR100_ARCHIVE=\(Self.placeholder)"), offline.output)
        for command in hint { try runAsPrinted(command) }
    }
}

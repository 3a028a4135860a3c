import Dataset
import Foundation
import Pipeline
import TestSupport
import XCTest

/// A small paper-shaped project: a generated CIFAR-format archive (4 classes, 200 train and
/// 60 test images), a tiny ResNet20 student, its evaluation and Table I, in `pipeline.yaml`.
struct PaperProject {
    let root: URL

    /// The archive's contents.
    static let data = SyntheticCIFAR(trainCount: 200, testCount: 60, fineClasses: 4, coarseClasses: 2, seed: 9)

    var pipelineFile: URL { root.appendingPathComponent("pipeline.yaml") }
    var archive: URL { root.appendingPathComponent("tiny.tar.gz") }
    var lockFile: URL { root.appendingPathComponent("artifacts/paper.lock") }
    /// The paper's numbers and claims, copied from the repository as the table stage reads them.
    var paperFile: URL { root.appendingPathComponent("artifacts/paper/paper_tables.yaml") }
    static let repositoryPaperFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("artifacts/paper/paper_tables.yaml")

    /// Writes the archive and the pipeline file into `root`; `extra` is appended to `stages:`.
    @discardableResult
    static func create(at root: URL, epochs: Int = 3, extra: String = "") throws -> PaperProject {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let project = PaperProject(root: root)
        try data.writeArchive(to: project.archive)
        let paperDirectory = project.paperFile.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: paperDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryPaperFile, to: project.paperFile)
        let sha = try ArchiveDigests.of(file: project.archive).sha256
        try """
        defaults:
          train: {model: cifar_resnet20_v1, width: 0.25, batch_size: 50, epochs: \(epochs), schedule: cosine, \
        warmup_epochs: 1}
        stages:
          cifar100:
            kind: dataset
            params: {url: [tiny.tar.gz], sha256: \(sha)}
          student: {kind: train, deps: [cifar100], params: {label_smoothing: 0.1}}
          student_eval: {kind: evaluate, deps: [student, cifar100], params: {run: student, batch_size: 16}}
          table1: {kind: table, deps: [student_eval], params: {table: table1, rows: ["-", student_eval], profile: e2e}}
        \(extra)
        """.write(to: project.pipelineFile, atomically: true, encoding: .utf8)
        return project
    }

    func lock() throws -> LockFile {
        try LockFile.read(lockFile)
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> TestProcess.Result {
        try TestProcess.repro(arguments, in: root, environment: environment)
    }

    /// Replaces `old` in pipeline.yaml (or in `target`, another file of the project).
    func edit(
        _ old: String, _ new: String, in target: URL? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let url = target ?? pipelineFile
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains(old), "\(url.lastPathComponent) contains \(old)", file: file, line: line)
        try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
    }
}

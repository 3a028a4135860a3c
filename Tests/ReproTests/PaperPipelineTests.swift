import Dataset
import Foundation
import Pipeline
import XCTest

/// The executable end to end on a small paper-shaped pipeline (generated CIFAR archive,
/// a tiny ResNet20 student, evaluation, Table I): real processes, real files.
final class PaperPipelineTests: XCTestCase {
    private var scratch: ScratchDirectory!
    var directory: URL { scratch.url }

    override func setUpWithError() throws {
        scratch = try ScratchDirectory("repro-e2e")
    }

    override func tearDownWithError() throws {
        scratch = nil
    }

    var reproBinary: URL { ReproProcess.binary }

    /// A pipeline directory with a generated archive and its digest.
    func makePipeline(_ name: String, epochs: Int = 3, extra: String = "") throws -> URL {
        try PaperProject.create(at: directory.appendingPathComponent(name), epochs: epochs, extra: extra).root
    }

    @discardableResult
    func repro(_ arguments: [String], in root: URL) throws -> ReproProcess.Result {
        try ReproProcess.run(arguments, in: root)
    }

    func lock(_ root: URL) throws -> LockFile {
        try LockFile.read(root.appendingPathComponent("artifacts/paper.lock"))
    }

    func testTableNumbersEqualTheEvaluateOutputs() throws {
        let root = try makePipeline("table")
        let run = try repro(["all"], in: root)
        XCTAssertEqual(run.status, 0, run.output)
        let lock = try lock(root)
        guard case .number(let top1)? = lock.stages["student_eval"]?.metrics["top1"],
              case .number(let top5)? = lock.stages["student_eval"]?.metrics["top5"] else { return XCTFail("no metrics in the lock") }
        let table = try String(contentsOf: root.appendingPathComponent("tables/paper/table1.md"), encoding: .utf8)
        let expected = "| ResNet56 | \(String(format: "%.2f", top1)) | 74.92 |"
        XCTAssertTrue(table.contains(expected), "\(expected) in\n\(table)")
        XCTAssertTrue(table.contains("| \(String(format: "%.2f", top5)) | 95.66 |"), table)
        // The evaluation re-computed from the checkpoint matches the training's last epoch.
        guard case .number(let trainedTop1)? = lock.stages["student"]?.metrics["top1"] else { return XCTFail("no train metrics") }
        XCTAssertEqual(trainedTop1, top1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("tables/paper/table1.tex").path))
    }

    func testKilledTrainingResumesAndEndsWithTheSameBytes() throws {
        // Eight epochs of 200 images: the kill lands while training goes on.
        let reference = try makePipeline("reference", epochs: 8)
        XCTAssertEqual(try repro(["stage", "student"], in: reference).status, 0)
        let expected = try XCTUnwrap(lock(reference).stages["student"]?.outputs["checkpoint"]?.sha256)

        let root = try makePipeline("killed", epochs: 8)
        let process = Process()
        process.executableURL = reproBinary
        process.arguments = ["stage", "student"]
        process.currentDirectoryURL = root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let log = root.appendingPathComponent("artifacts/logs/student.log")
        try process.run()
        // Kill as soon as the first epoch's state is saved (the trainer logs the epoch after saving it).
        let seen = LogWatcher.wait(for: log, containing: "epoch 1/8:", while: { process.isRunning })
        XCTAssertTrue(seen, "the first epoch was logged before the process ended")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let rerun = try repro(["stage", "student"], in: root)
        XCTAssertEqual(rerun.status, 0, rerun.output)
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertTrue(text.contains("resuming student from epoch"), text)
        XCTAssertTrue(rerun.output.contains("student: resuming student from epoch "), "the console says so too: \(rerun.output)")
        XCTAssertEqual(try lock(root).stages["student"]?.outputs["checkpoint"]?.sha256, expected,
                       "resumed after kill -9: the same checkpoint bytes as an uninterrupted run")
        let gc = try repro(["gc", "--dry-run"], in: root)
        XCTAssertEqual(gc.status, 0, gc.output)
    }

    func testBadStageInputsSayWhatIsWrong() throws {
        let root = try makePipeline("bad", extra: """
          other: {kind: train, deps: [cifar100], params: {model: cifar_resnet57_v1}}
        """)
        let run = try repro(["all"], in: root)
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertTrue(run.output.contains("pipeline.yaml:10"), run.output)
        XCTAssertTrue(run.output.contains("unknown model 'cifar_resnet57_v1'"), run.output)
        XCTAssertFalse(run.output.contains("Backtrace") || run.output.contains("Fatal error"), run.output)
    }
}

/// Waits for a line in a log file with inotify: no sleeping, no polling loop on the clock.
enum LogWatcher {
    static func wait(for file: URL, containing text: String, while alive: () -> Bool) -> Bool {
        let directory = file.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { return false }
        defer { close(fd) }
        inotify_add_watch(fd, directory.path, UInt32(IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while alive() {
            if let contents = try? String(contentsOf: file, encoding: .utf8), contents.contains(text) { return true }
            // Wake on the next change in the directory, or after a second to re-check `alive`.
            var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pollfd, 1, 1000) > 0 { _ = read(fd, &buffer, buffer.count) }
        }
        return (try? String(contentsOf: file, encoding: .utf8))?.contains(text) ?? false
    }
}

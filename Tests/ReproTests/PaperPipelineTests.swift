import Dataset
import Foundation
import Pipeline
import TestSupport
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

    /// A pipeline directory with a generated archive and its digest.
    func makePipeline(_ name: String, epochs: Int = 3, extra: String = "") throws -> URL {
        try PaperProject.create(at: directory.appendingPathComponent(name), epochs: epochs, extra: extra).root
    }

    @discardableResult
    func repro(_ arguments: [String], in root: URL) throws -> TestProcess.Result {
        try TestProcess.repro(arguments, in: root)
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
            case .number(let top5)? = lock.stages["student_eval"]?.metrics["top5"]
        else { return XCTFail("no metrics in the lock") }
        let table = try String(contentsOf: root.appendingPathComponent("tables/paper/table1.md"), encoding: .utf8)
        let expected = "| ResNet56 | \(String(format: "%.2f", top1)) | 74.92 |"
        XCTAssertTrue(table.contains(expected), "\(expected) in\n\(table)")
        XCTAssertTrue(table.contains("| \(String(format: "%.2f", top5)) | 95.66 |"), table)
        // The evaluation re-computed from the checkpoint matches the training's last epoch.
        guard case .number(let trainedTop1)? = lock.stages["student"]?.metrics["top1"] else {
            return XCTFail("no train metrics")
        }
        XCTAssertEqual(trainedTop1, top1)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: root.appendingPathComponent("tables/paper/table1.tex").path))
    }

    func testKilledTrainingResumesAndEndsWithTheSameBytes() throws {
        // Eight epochs of 200 images: the kill lands while training goes on.
        let reference = try makePipeline("reference", epochs: 8)
        XCTAssertEqual(try repro(["stage", "student"], in: reference).status, 0)
        let expected = try XCTUnwrap(lock(reference).stages["student"]?.outputs["checkpoint"]?.sha256)

        let root = try makePipeline("killed", epochs: 8)
        let process = Process()
        process.executableURL = TestProcess.repro
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
        XCTAssertTrue(
            rerun.output.contains("student: resuming student from epoch "), "the console says so too: \(rerun.output)")
        XCTAssertEqual(
            try lock(root).stages["student"]?.outputs["checkpoint"]?.sha256, expected,
            "resumed after kill -9: the same checkpoint bytes as an uninterrupted run")
        let gc = try repro(["gc", "--dry-run"], in: root)
        XCTAssertEqual(gc.status, 0, gc.output)
    }

    func testCoarseLabelsTrainAndEvaluateOnTheSuperclasses() throws {
        // The generated archive has 4 fine classes in 2 superclasses.
        let root = try makePipeline(
            "coarse", epochs: 2,
            extra: """
                  coarse: {kind: train, params: {labels: coarse}}
                  coarse_eval: {kind: evaluate, params: {run: coarse, batch_size: 16}}
                """)
        let run = try repro(["stage", "coarse_eval", "student"], in: root)
        XCTAssertEqual(run.status, 0, run.output)
        let lock = try lock(root)
        XCTAssertEqual(lock.stages["coarse"]?.metrics["labels"], .text("coarse"))
        XCTAssertNil(lock.stages["student"]?.metrics["labels"], "fine labels are the default and say nothing")
        // Two classes instead of four: the classifier's weights are 2 × 64 × width smaller.
        guard case .number(let fine)? = lock.stages["student"]?.metrics["parameters"],
            case .number(let coarse)? = lock.stages["coarse"]?.metrics["parameters"]
        else { return XCTFail("no parameter counts") }
        XCTAssertEqual(fine - coarse, 2 * (16 + 1))
        XCTAssertNotNil(lock.stages["coarse_eval"]?.metrics["top1"])
        // A dataset stage checks the class count of the label set it is told.
        let wrong = try repro(
            ["stage", "cifar100", "--param", "cifar100.labels=coarse", "--param", "cifar100.classes=4"], in: root)
        XCTAssertNotEqual(wrong.status, 0, wrong.output)
        XCTAssertTrue(wrong.output.contains("coarse"), wrong.output)
    }

    /// Each training computes in its own context: with -j 2 two of them run at once, one
    /// thread each, and their intervals in the run summary overlap.
    func testTwoTrainingsRunAtOnceWithJTwo() throws {
        let root = try makePipeline(
            "parallel", epochs: 3,
            extra: """
                  other: {kind: train, params: {label_smoothing: 0.1, seed: 1}}
                """)
        XCTAssertEqual(try repro(["stage", "cifar100"], in: root).status, 0)
        let run = try repro(["stage", "student", "other", "-j", "2"], in: root)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(
            run.output.contains("running student (1 thread)") && run.output.contains("running other (1 thread)"),
            run.output)
        func interval(_ stage: String) throws -> ClosedRange<Double> {
            // "ran      student (4.1s, started at +0.0s): …"
            let line = try XCTUnwrap(
                run.output.split(separator: "\n").first { $0.hasPrefix("ran      \(stage) (") }, run.output)
            let numbers = line.split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
            XCTAssertEqual(numbers.count, 2, String(line))
            return numbers[1]...(numbers[1] + numbers[0])
        }
        let student = try interval("student"), other = try interval("other")
        XCTAssertTrue(student.overlaps(other), "student \(student) and other \(other) ran one after the other")
    }

    func testBadStageInputsSayWhatIsWrong() throws {
        let root = try makePipeline(
            "bad",
            extra: """
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

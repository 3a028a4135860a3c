import Foundation
import Pipeline
import TestSupport
import XCTest

/// The completion sequence (`StageCompletion`) killed at each of its steps: the real
/// `repro` binary kills itself with SIGKILL there (REPRO_CRASH_STAGE / REPRO_CRASH_AT),
/// then a rerun must end with the lock, byte for byte, of a run never interrupted, with a
/// whole run record behind every entry. Each step is tried from an empty project and
/// from a fresh clone (the committed lock, an empty cache), for the training-like stage
/// whose volatile output a dependent reads, and for that dependent.
final class CompletionFaultTests: XCTestCase {
    /// `eval` reads `train`'s volatile timing when its record names it, as the evaluate
    /// kind does: a record handed over without it changes `eval`'s stable output.
    private let yaml = """
        stages:
          train:
            kind: cmd
            params: {run: 'echo weights > $OUT/model; date +%s%N > $OUT/timing', outputs: [model, timing], volatile: \
        [timing]}
          eval:
            kind: cmd
            deps: [train]
            params:
              run: |
                cat $DEPS/train/model > $OUT/score
                if [ -e $DEPS/train/timing ]; then echo timed >> $OUT/score; else echo untimed >> $OUT/score; fi
                date +%s%N > $OUT/timing
              outputs: [score, timing]
              volatile: [timing]
          table: {kind: cmd, deps: [eval], params: {run: 'cat $DEPS/eval/score > $OUT/table', outputs: [table]}}
        """

    private let points = [
        "published-model", "published-timing", "published-score", "before-record", "after-record",
        "before-lock", "after-lock",
    ]

    private func repro(
        _ arguments: [String], in directory: URL, crash: (stage: String, point: String)? = nil
    ) throws
        -> TestProcess.Result
    {
        let environment = crash.map { ["REPRO_CRASH_STAGE": $0.stage, "REPRO_CRASH_AT": $0.point] } ?? [:]
        return try TestProcess.repro(arguments, in: directory, environment: environment)
    }

    private func lockBytes(_ sandbox: Sandbox) throws -> Data {
        try Data(contentsOf: sandbox.artifacts.lockFile(profile: "paper"))
    }

    func testAKillAtEachCompletionStepThenARerunEndsWithTheUninterruptedLock() throws {
        let reference = try Sandbox(yaml: yaml)
        XCTAssertEqual(try repro(["all"], in: reference.directory).status, 0)
        let expected = try lockBytes(reference)
        XCTAssertTrue(String(decoding: expected, as: UTF8.self).contains("\"table\""))

        for stage in ["train", "eval"] {
            for point in points where point != "published-\(stage == "train" ? "score" : "model")" {
                for fromClone in [false, true] {
                    let label = "\(stage) killed at \(point)\(fromClone ? " in a fresh clone" : "")"
                    let sandbox = try Sandbox(yaml: yaml)
                    if fromClone {
                        try FileManager.default.createDirectory(
                            at: sandbox.artifacts.root, withIntermediateDirectories: true)
                        try expected.write(to: sandbox.artifacts.lockFile(profile: "paper"))
                    }
                    let victim = try repro(["all"], in: sandbox.directory, crash: (stage, point))
                    XCTAssertEqual(victim.description, "killed by signal 9", "\(label): the crash point was reached")
                    let rerun = try repro(["all"], in: sandbox.directory)
                    XCTAssertEqual(rerun.status, 0, "\(label): \(rerun.output)")
                    XCTAssertEqual(
                        String(decoding: try lockBytes(sandbox), as: UTF8.self),
                        String(decoding: expected, as: UTF8.self), label)
                    for record in try sandbox.lock().stages.values {
                        let runRecord = sandbox.artifacts.root.appendingPathComponent("cache/runs/\(record.key).json")
                        XCTAssertTrue(FileManager.default.fileExists(atPath: runRecord.path), "\(label): a run record")
                    }
                    XCTAssertTrue(try sandbox.status().stages.allSatisfy { $0.state == .upToDate }, label)
                }
            }
        }
    }

    /// A lock entry whose outputs are all in the store but whose run record is not (the
    /// kill came between publishing and committing) is not up to date, and says why.
    func testAStageWithoutItsRunRecordIsStaleAndSaysWhy() throws {
        let sandbox = try Sandbox(yaml: yaml)
        XCTAssertEqual(try repro(["all"], in: sandbox.directory).status, 0)
        let key = try XCTUnwrap(sandbox.lock().stages["train"]?.key)
        try FileManager.default.removeItem(at: sandbox.artifacts.root.appendingPathComponent("cache/runs/\(key).json"))
        let train = try XCTUnwrap(sandbox.status().stages.first { $0.name == "train" })
        XCTAssertEqual(train.reasons, [.resultIncomplete])
        XCTAssertEqual(try repro(["all"], in: sandbox.directory).status, 0)
        XCTAssertTrue(try sandbox.status().stages.allSatisfy { $0.state == .upToDate })
    }
}

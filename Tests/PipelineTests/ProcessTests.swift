import Foundation
import Pipeline
import TestSupport
import XCTest

/// The real `repro` binary: killed with SIGKILL in the middle of a stage, and two
/// invocations on one directory. Fifos make the timing deterministic: a stage announces
/// that it has started by writing to one and blocks reading another until the test lets
/// it go.
final class ProcessTests: XCTestCase {
    private func reproRun(_ arguments: [String], in directory: URL) throws -> (status: Int32, stdout: String) {
        let run = try TestProcess.repro(arguments, in: directory, separateErrors: true)
        return (run.status, run.output)
    }

    /// Blocks until the stage has written to `started.fifo`.
    private func awaitStageStart(_ sandbox: Sandbox) throws {
        let handle = try XCTUnwrap(
            FileHandle(forReadingAtPath: sandbox.directory.appendingPathComponent("started.fifo").path))
        XCTAssertEqual(String(decoding: handle.readDataToEndOfFile(), as: UTF8.self), "started\n")
        try handle.close()
    }

    private func release(_ sandbox: Sandbox) throws {
        let handle = try XCTUnwrap(
            FileHandle(forWritingAtPath: sandbox.directory.appendingPathComponent("gate.fifo").path))
        handle.write(Data("go\n".utf8))
        try handle.close()
    }

    private func makeFifos(_ sandbox: Sandbox) {
        for fifo in ["started.fifo", "gate.fifo"] {
            XCTAssertEqual(mkfifo(sandbox.directory.appendingPathComponent(fifo).path, 0o644), 0)
        }
    }

    private let killYAML = """
        stages:
          first: {kind: cmd, params: {run: 'echo one > $OUT/x', outputs: [x]}}
          slow:
            kind: cmd
            deps: [first]
            params:
              run: |
                echo partial > $OUT/y
                if [ -e block ]; then echo started > started.fifo; cat gate.fifo > /dev/null; fi
                cat $DEPS/first/x > $OUT/y
              outputs: [y]
          last: {kind: cmd, deps: [slow], params: {run: 'cat $DEPS/slow/y > $OUT/z', outputs: [z]}}
        """

    func testKillNineMidStageThenRerunFinishesWithTheSameHashes() throws {
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: TestProcess.repro.path), "repro is built next to the tests")
        let sandbox = try Sandbox(yaml: killYAML)
        makeFifos(sandbox)
        try sandbox.write("block", "")
        let victim = try TestProcess.Started(["all"], in: sandbox.directory)
        try awaitStageStart(sandbox)
        XCTAssertEqual(kill(victim.pid, SIGKILL), 0)
        XCTAssertFalse(victim.finish().exited, "killed by SIGKILL")

        // The lock is valid and holds exactly the finished stage.
        XCTAssertEqual(try sandbox.lock().stages.keys.sorted(), ["first"])
        let status = try reproRun(["status"], in: sandbox.directory)
        XCTAssertEqual(status.status, 0)
        XCTAssertTrue(status.stdout.contains("slow   never run"), status.stdout)

        try FileManager.default.removeItem(at: sandbox.directory.appendingPathComponent("block"))
        let rerun = try reproRun(["all"], in: sandbox.directory)
        XCTAssertEqual(rerun.status, 0, rerun.stdout)
        XCTAssertTrue(rerun.stdout.contains("ran      slow"), rerun.stdout)
        XCTAssertTrue(rerun.stdout.contains("2 ran, 0 reused, 1 up to date"), rerun.stdout)

        // Same hashes as a run that was never interrupted.
        let clean = try Sandbox(yaml: killYAML)
        XCTAssertEqual(try reproRun(["all"], in: clean.directory).status, 0)
        XCTAssertEqual(try sandbox.lock().stages.mapValues(\.outputs), try clean.lock().stages.mapValues(\.outputs))

        // Nothing was left to clean by hand.
        let gc = try reproRun(["gc", "--dry-run"], in: sandbox.directory)
        XCTAssertEqual(gc.stdout, "would remove: nothing to remove\n")
        let work = sandbox.directory.appendingPathComponent("artifacts/work").path
        XCTAssertEqual((try? FileManager.default.subpathsOfDirectory(atPath: work)) ?? [], [])
    }

    func testTwoInvocationsShareAStageInsteadOfRunningItTwice() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  slow:
                    kind: cmd
                    params:
                      run: 'echo run >> runs.log; echo started > started.fifo; cat gate.fifo > /dev/null; echo done > \
                $OUT/y'
                      outputs: [y]
                  after: {kind: cmd, deps: [slow], params: {run: 'echo after >> runs.log; cat $DEPS/slow/y > $OUT/z', \
                outputs: [z]}}
                """)
        makeFifos(sandbox)
        let first = try TestProcess.Started(["all"], in: sandbox.directory)
        try awaitStageStart(sandbox)
        let second = try TestProcess.Started(["all", "-j", "2"], in: sandbox.directory)
        XCTAssertTrue(
            second.wait(for: "slow: another repro process is running this stage; waiting for it"),
            second.outputSoFar)
        try release(sandbox)

        let (firstRun, secondRun) = (first.finish(), second.finish())
        let (firstOut, secondOut) = (firstRun.output, secondRun.output)
        XCTAssertEqual(firstRun.status, 0, firstOut)
        XCTAssertEqual(secondRun.status, 0, secondOut)
        XCTAssertTrue(firstOut.contains("ran      slow"), firstOut)
        XCTAssertTrue(secondOut.contains("reused   slow"), secondOut)
        XCTAssertEqual(try sandbox.read("runs.log"), "run\nafter\n", "each stage ran once")
        XCTAssertEqual(try sandbox.lock().stages.keys.sorted(), ["after", "slow"])
        XCTAssertTrue(try sandbox.status().stages.allSatisfy { $0.state == .upToDate })
    }
}

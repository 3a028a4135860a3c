import Foundation
import Pipeline
import XCTest

/// `-j`: dependencies are respected, independent stages overlap, threads are shared,
/// failures skip dependents and stop (or not, with keep-going).
final class SchedulerTests: XCTestCase {
    /// A diamond under -j 4: each stage checks that its dependencies' outputs exist and
    /// appends its name to a shared log; the order of the log must follow the edges.
    func testParallelRunRespectsDependencies() throws {
        var yaml = "stages:\n"
        let edges: [(String, [String])] = [
            ("a", []), ("b", ["a"]), ("c", ["a"]), ("d", ["a"]), ("e", ["b", "c"]), ("f", ["e", "d"]),
        ]
        for (name, deps) in edges {
            let checks = deps.map { "test -s $DEPS/\($0)/out" }.joined(separator: " && ")
            let run = (checks.isEmpty ? "" : checks + " && ") + "echo \(name) >> order.log && echo \(name) > $OUT/out"
            yaml +=
                "  \(name): {kind: cmd, deps: [\(deps.joined(separator: ", "))], params: {run: '\(run)', outputs: "
                + "[out]}}\n"
        }
        let sandbox = try Sandbox(yaml: yaml)
        let summary = try sandbox.run(jobs: 4, cores: 4)
        XCTAssertEqual(Set(summary.ran), ["a", "b", "c", "d", "e", "f"])
        let order = try sandbox.read("order.log").split(separator: "\n").map(String.init)
        for (name, deps) in edges {
            for dep in deps {
                XCTAssertLessThan(order.firstIndex(of: dep)!, order.firstIndex(of: name)!, "\(dep) before \(name)")
            }
        }
    }

    /// Two independent stages that can only finish if they run at the same time: each
    /// writes to a fifo the other reads (no sleeps; `timeout` only guards a hang).
    func testIndependentStagesOverlapAndShareTheCores() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  left: {kind: cmd, params: {run: 'echo $REPRO_THREADS > $OUT/threads; echo hi > ab.fifo; timeout 60 \
                cat ba.fifo >> $OUT/threads', outputs: [threads]}}
                  right: {kind: cmd, params: {run: 'echo $REPRO_THREADS > $OUT/threads; timeout 60 cat ab.fifo >> \
                $OUT/threads; echo ho > ba.fifo', outputs: [threads]}}
                """)
        for fifo in ["ab.fifo", "ba.fifo"] {
            XCTAssertEqual(mkfifo(sandbox.directory.appendingPathComponent(fifo).path, 0o644), 0)
        }
        let summary = try sandbox.run(jobs: 2, cores: 4)
        XCTAssertEqual(summary.ran, ["left", "right"])
        XCTAssertEqual(try sandbox.output("left", "threads"), "2\nho\n")
        XCTAssertEqual(try sandbox.output("right", "threads"), "2\nhi\n")
    }

    func testFailureSkipsDependentsAndStopsWithoutKeepGoing() throws {
        let yaml = """
            stages:
              bad: {kind: cmd, params: {run: 'echo broken >&2; exit 3', outputs: [x]}}
              after: {kind: cmd, deps: [bad], params: {run: 'echo > $OUT/x', outputs: [x]}}
              other: {kind: cmd, params: {run: 'echo > $OUT/x', outputs: [x]}}
            """
        let stop = try Sandbox(yaml: yaml).run()
        XCTAssertEqual(stop.failed, ["bad"])
        guard case .failed(let failure) = stop.entry("bad")!.outcome else { return XCTFail("bad failed") }
        let message = failure.message
        XCTAssertFalse(failure.isBadInput, "a command that exits 3 is a failure, not bad input")
        XCTAssertTrue(message.hasPrefix("the command exited with status 3"), message)
        XCTAssertTrue(message.contains("broken"), "the log's tail is shown: \(message)")
        XCTAssertEqual(stop.entry("after")!.outcome, .skipped("dependency bad failed"))
        XCTAssertEqual(
            stop.entry("other")!.outcome,
            .skipped("not started: the run stopped after bad failed (use --keep-going to continue past failures)"))
        XCTAssertFalse(stop.succeeded)

        let sandbox = try Sandbox(yaml: yaml)
        let going = try sandbox.run(keepGoing: true)
        XCTAssertEqual(going.ran, ["other"])
        XCTAssertEqual(going.skipped, ["after"])
        XCTAssertEqual(try sandbox.lock().stages.keys.sorted(), ["other"], "only finished stages are recorded")
    }

    func testMissingInputFailsTheStageWithItsName() throws {
        let summary = try Sandbox(
            yaml: "stages:\n  a: {kind: cmd, params: {run: 'cat in.txt > $OUT/x', inputs: [in.txt], outputs: [x]}}\n"
        ).run()
        XCTAssertEqual(summary.failures.map(\.message), ["input in.txt is missing"])
        XCTAssertTrue(summary.failedOnBadInput, "a missing input file is bad input (exit 2)")
    }

    /// A symbolic link the command made, pointing outside $OUT, is not taken as the output.
    func testOutputLinkedOutsideOutIsRefused() throws {
        let summary = try Sandbox(yaml: "stages:\n  a: {kind: cmd, params: {run: 'ln -s / $OUT/x', outputs: [x]}}\n")
            .run()
        XCTAssertEqual(
            summary.failures.map(\.message),
            ["stage a: output 'x' resolves to /, outside $OUT; write the file itself into $OUT"])
        XCTAssertEqual(summary.failures.map(\.isBadInput), [true])
    }

    func testUndeclaredOutputIsAnError() throws {
        let summary = try Sandbox(yaml: "stages:\n  a: {kind: cmd, params: {run: 'true', outputs: [x]}}\n").run()
        XCTAssertEqual(summary.failures.map(\.message), ["the command did not write its output 'x' into $OUT"])
    }
}

import Foundation
import XCTest

@testable import Pipeline

/// `--executor slurm --dry-run`: each job's request and the critical path when every
/// ready stage gets a node at once; and how job endings are classified from Slurm's
/// answers (the states and exit codes measured on the one-node cluster).
final class ClusterPlanTests: XCTestCase {
    func testCriticalPathIsTheLongestChainOfEstimates() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  a: {kind: cmd, params: {run: 'echo > $OUT/x', outputs: [x]}}
                  short: {kind: cmd, deps: [a], params: {run: 'echo > $OUT/x', outputs: [x]}}
                  long: {kind: cmd, deps: [a], params: {run: 'echo > $OUT/x', outputs: [x]}}
                  end: {kind: cmd, deps: [short, long], params: {run: 'echo > $OUT/x', outputs: [x]}}
                """)
        let pipeline = try sandbox.load()
        let estimates = ["a": 10.0, "short": 5, "long": 100, "end": 1]
        let plan = Plan(
            steps: pipeline.stages.map { Plan.Step(stage: $0.name, reasons: [], estimate: estimates[$0.name]) },
            upToDate: [])
        var settings = SlurmSettings(repro: URL(fileURLWithPath: "/bin/true"))
        settings.overrides = ResourceRequest(cpus: 2, options: ["--partition=cpu"])
        let cluster = ClusterPlan(plan: plan, pipeline: pipeline, settings: settings)
        XCTAssertEqual(cluster.criticalPath.stages, ["a", "long", "end"])
        XCTAssertEqual(cluster.criticalPath.seconds, 111)
        // the cmd kind's own request (1 CPU, 2G) under the command line's
        XCTAssertTrue(
            cluster.text.contains("  long [~1m40s last run] cpus=2 mem=2G time=default --partition=cpu"), cluster.text)
        XCTAssertTrue(
            cluster.text.contains("critical path (every ready stage on its own node): ~1m51s through a -> long -> end"),
            cluster.text)
    }

    func testJobEndingsAreClassifiedFromStateExitCodeAndLog() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("ending-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        func ending(_ line: String, log text: String = "") throws -> JobEnding {
            try text.write(to: log, atomically: true, encoding: .utf8)
            return JobEnding(try XCTUnwrap(SlurmJobState.parse(line).values.first), log: log)
        }
        XCTAssertEqual(try ending("1|FAILED|256|NonZeroExitCode|"), .stageError(exitCode: 1))
        XCTAssertEqual(try ending("2|TIMEOUT|19200|TimeLimit|"), .continuation)  // exit 75
        XCTAssertEqual(try ending("3|TIMEOUT|15|TimeLimit|"), .timeLimit)
        XCTAssertEqual(
            try ending(
                "4|FAILED|9|JobLaunchFailure|",
                log: "slurmstepd: error: Step 4.batch exceeded memory limit (644333568 > 104857600), being killed"),
            .outOfMemory)
        XCTAssertEqual(try ending("5|CANCELLED|1792|None|"), .cancelled)
        XCTAssertEqual(try ending("6|NODE_FAIL|0|NodeDown|"), .nodeFailure("NODE_FAIL"))
        XCTAssertEqual(try ending("7|PREEMPTED|0|None|"), .preempted)
        XCTAssertEqual(try ending("9|PREEMPTED|19200|None|"), .continuation)  // saved its state on SIGTERM: exit 75
        XCTAssertTrue(try XCTUnwrap(SlurmJobState.parse("8|COMPLETING|0|None|")["8"]).isActive)
        XCTAssertTrue(SlurmJobState.parse("slurm_load_jobs error: Unable to contact slurm controller").isEmpty)
    }
}

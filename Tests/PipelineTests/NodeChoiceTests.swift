import Foundation
import XCTest

@testable import Pipeline

/// The cluster plan with a shape: the data-parallel time model (`WorkEstimate`), the list
/// schedule on N shared nodes (`ClusterSchedule`), the nodes chosen per stage
/// (`NodeChoice`), and `nodes:`/`tasks:` from pipeline.yaml to the batch script.
final class NodeChoiceTests: XCTestCase {
    /// 8 parts, 1,000 steps of a 10M-parameter model, 80,000 one-thread seconds, all parallel.
    let big = WorkEstimate(
        oneThreadSeconds: 80_000, parallelShare: 1, parts: 8, steps: 1000, parameters: 10_000_000, source: "test")

    func testCommunicationIsTheReduceScatterAndAllGatherOfTheParameters() {
        XCTAssertEqual(big.bytesPerStep(nodes: 1), 0)
        XCTAssertEqual(big.bytesPerStep(nodes: 4), 2 * 4 * 10_000_000 * 3 / 4)
        // 60 MB a step at 10 Gb/s (1.25 GB/s): 48 ms, 48 s over the run
        XCTAssertEqual(big.communicationSeconds(nodes: 4, gigabits: 10), 48, accuracy: 1e-9)
        XCTAssertEqual(big.seconds(nodes: 1, threads: 10, gigabits: 10), 8000, accuracy: 1e-9)
        XCTAssertEqual(big.seconds(nodes: 4, threads: 10, gigabits: 10), 2000 + 48, accuracy: 1e-9)
        // 3 ranks: the slowest owns ⌈8/3⌉ = 3 of the 8 parts
        XCTAssertEqual(
            big.seconds(nodes: 3, threads: 10, gigabits: 10), 3000 + 1000 * 8e7 * 2 / 3 / 1.25e9, accuracy: 1e-6)
        // more nodes than parts: the extra ones idle
        XCTAssertEqual(big.seconds(nodes: 16, threads: 10), big.seconds(nodes: 8, threads: 10))
        let amdahl = WorkEstimate(oneThreadSeconds: 100, parallelShare: 0.9, source: "test")
        XCTAssertEqual(amdahl.seconds(threads: 10), 100 * (0.1 + 0.09), accuracy: 1e-9)
    }

    func testScheduleWaitsForFreeNodes() {
        let tasks = [
            ClusterSchedule.Task(stage: "a", seconds: 10, nodes: 2, dependencies: []),
            ClusterSchedule.Task(stage: "b", seconds: 5, nodes: 2, dependencies: []),
            ClusterSchedule.Task(stage: "c", seconds: 1, nodes: 1, dependencies: ["a"]),
        ]
        let shared = ClusterSchedule(tasks, capacity: 2)
        // the longer chain (a, c) first; b waits for a's nodes, then goes before c (its
        // remaining chain is longer) and c waits for b's: the path runs through the waits
        XCTAssertEqual(shared.start["b"], 10)
        XCTAssertEqual(shared.start["c"], 15)
        XCTAssertEqual(shared.criticalPath.stages, ["a", "b", "c"])
        XCTAssertEqual(shared.criticalPath.seconds, 16)
        let unlimited = ClusterSchedule(tasks, capacity: nil)
        XCTAssertEqual(unlimited.criticalPath.stages, ["a", "c"])
        XCTAssertEqual(unlimited.criticalPath.seconds, 11)
    }

    private func stage(
        _ name: String, _ deps: [String] = [], work: WorkEstimate? = nil, estimate: Double? = nil, fixed: Int? = nil
    ) -> NodeChoice.Stage {
        NodeChoice.Stage(
            name: name, dependencies: deps, lastRun: nil, work: work, estimate: estimate, fixedNodes: fixed, threads: 10
        )
    }

    func testNodesGoToTheCriticalPathWithinTheCluster() {
        let small = WorkEstimate(oneThreadSeconds: 1000, parallelShare: 1, parts: 1, source: "test")
        let stages = [
            stage("data", estimate: 5), stage("big", ["data"], work: big), stage("small", ["data"], work: small),
            stage("end", ["big", "small"], estimate: 1),
        ]
        // 8 nodes: big takes all 8 (1,000 s + 56 s of exchange) and small (one part) waits for one
        let eight = NodeChoice(stages, capacity: 8, gigabits: 10)
        XCTAssertEqual(eight.nodes["big"], 8)
        XCTAssertEqual(eight.nodes["small"], 1)
        XCTAssertEqual(eight.schedule.criticalPath.stages, ["data", "big", "small", "end"])
        XCTAssertEqual(eight.schedule.criticalPath.seconds, 5 + 1000 + 56 + 100 + 1, accuracy: 1e-6)
        // 5 nodes: ⌈8/5⌉ = ⌈8/4⌉ = 2 parts a rank, so 4 (5 would idle one); small runs beside it
        let five = NodeChoice(stages, capacity: 5, gigabits: 10)
        XCTAssertEqual(five.nodes["big"], 4)
        XCTAssertEqual(five.schedule.criticalPath.seconds, 5 + 2000 + 48 + 1, accuracy: 1e-6)
        // nodes fixed by resources: are kept
        let fixed = NodeChoice(
            [stage("big", work: big, fixed: 2), stage("small", work: small)], capacity: 8, gigabits: 10)
        XCTAssertEqual(fixed.nodes["big"], 2)
        // a slow network: one node is fastest
        let slow = NodeChoice([stage("big", work: big)], capacity: 8, gigabits: 0.001)
        XCTAssertEqual(slow.nodes["big"], 1)
    }

    func testNodesAndTasksFromResourcesReachTheBatchScript() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  a: {kind: cmd, params: {run: 'echo > $OUT/x', outputs: [x]}}
                  b: {kind: cmd, deps: [a], params: {run: 'echo > $OUT/x', outputs: [x]}}
                resources:
                  b: {nodes: 4, tasks: 8}
                profiles:
                  paper: {cluster: {nodes: 6, cores: 16, network: 25}}
                """)
        let pipeline = try sandbox.load()
        XCTAssertEqual(pipeline.cluster.shape, ClusterShape(nodes: 6, cores: 16, network: 25))
        let plan = Plan(
            steps: pipeline.stages.map { Plan.Step(stage: $0.name, reasons: [], estimate: 10) }, upToDate: [])
        let settings = SlurmSettings(repro: URL(fileURLWithPath: "/bin/true"))
        let cluster = ClusterPlan(plan: plan, pipeline: pipeline, settings: settings)
        XCTAssertEqual(cluster.request("b").nodes, 4)
        XCTAssertEqual(cluster.request("b").tasks, 8)
        XCTAssertTrue(
            cluster.text.contains("  b [~10s last run] cpus=1 mem=2G time=default nodes=4 tasks=8"), cluster.text)
        XCTAssertTrue(
            cluster.text.contains("critical path (6 nodes of 16 cores, 25 Gb/s): ~20s through a -> b"), cluster.text)
        let script = BatchScript(
            settings: settings, request: cluster.request("b"), projectDirectory: sandbox.directory, profile: "paper",
            stage: "b", key: "k", dependencyKeys: [:], attempt: 1, submission: "s", forced: false,
            log: sandbox.directory.appendingPathComponent("b.log"))
        XCTAssertTrue(
            script.text.contains("#SBATCH --nodes=4\n#SBATCH --ntasks=8\n#SBATCH --cpus-per-task=1"), script.text)
    }

    func testBadClusterShapesAreSpecErrors() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  a: {kind: cmd, params: {run: 'echo > $OUT/x', outputs: [x]}}
                profiles:
                  paper: {cluster: {nodes: many}}
                """)
        XCTAssertThrowsError(try sandbox.load()) { error in
            XCTAssertTrue("\(error)".contains("expected an integer for cluster nodes, found 'many'"), "\(error)")
        }
    }
}

import Foundation
import XCTest

@testable import Pipeline

/// `resources:` and `executor:` in pipeline.yaml (`ClusterSpec`): the kind's request,
/// then the file's rules (kind rules before stage rules), then the profile chain's; a
/// mistake is reported at its line; sbatch's spellings of sizes and times.
final class ClusterSpecTests: XCTestCase {
    private let yaml = """
        resources:
          teacher: {mem: 12G}
          kind:study: {cpus: 4, time: "2:00:00"}
          "*_eval": {cpus: 2, options: [--partition=short]}
        stages:
          teacher: {kind: study, seeds: [0, 1], params: {text: t}}
          teacher_eval: {kind: cmd, params: {run: 'echo > $OUT/x', outputs: [x]}}
          notes: {kind: echo, params: {text: hi}}
        profiles:
          base: {executor: slurm, resources: {teacher: {time: "7-00:00:00"}}}
          big: {extends: base, resources: {"kind:study": {mem: 64G}, "teacher@seed=1": {cpus: 32}}}
          here: {extends: big, executor: local}
        """

    private func load(_ profile: String) throws -> PipelineDefinition {
        let sandbox = try Sandbox(yaml: yaml)
        sandbox.kinds = [CmdKind(), EchoKind(), StudyKind()]
        return try sandbox.load(profile: profile)
    }

    func testRulesApplyAfterTheKindsRequestInOrder() throws {
        let paper = try load("paper")
        XCTAssertNil(paper.cluster.executor)
        // the kinds' own request is 1 CPU and 2G; the kind rule applies before the stage
        // rule written above it; a seed group's name reaches its replicas
        XCTAssertEqual(paper.resources(for: "teacher@seed=0"), ResourceRequest(cpus: 4, memory: "12G", time: "2:00:00"))
        XCTAssertEqual(
            paper.resources(for: "teacher_eval"),
            ResourceRequest(cpus: 2, memory: "2G", options: ["--partition=short"]))
        XCTAssertEqual(paper.resources(for: "notes"), ResourceRequest(cpus: 1, memory: "2G"))

        let big = try load("big")
        XCTAssertEqual(big.cluster.executor, "slurm")  // from the profile it extends
        XCTAssertEqual(
            big.resources(for: "teacher@seed=0"), ResourceRequest(cpus: 4, memory: "64G", time: "7-00:00:00"))
        XCTAssertEqual(
            big.resources(for: "teacher@seed=1"), ResourceRequest(cpus: 32, memory: "64G", time: "7-00:00:00"))
        XCTAssertEqual(try load("here").cluster.executor, "local")
    }

    func testResourcesDoNotEnterKeys() throws {
        let paper = try load("paper"), big = try load("big")
        for stage in paper.stages {
            XCTAssertEqual(stage.keyParameters, big.stage(stage.name)?.keyParameters, stage.name)
        }
    }

    func testMistakesAreReportedAtTheirLine() throws {
        func error(_ text: String) throws -> String {
            try Sandbox.loadError(
                "stages:\n  a: {kind: cmd, params: {run: 'echo > $OUT/x', outputs: [x]}}\n" + text,
                kinds: [CmdKind()], profile: "p", file: #filePath, line: #line)
        }
        XCTAssertEqual(
            try error("resources:\n  kind:trian: {cpus: 2}\nprofiles: {p: {}}\n"),
            "pipeline.yaml:4:3: unknown kind 'trian' in resources (known kinds: cmd)")
        XCTAssertEqual(
            try error("resources:\n  b*: {cpus: 2}\nprofiles: {p: {}}\n"),
            "pipeline.yaml:4:3: 'b*' in resources matches no stage; write a stage name, a seed group, a glob or "
                + "kind:NAME"
        )
        XCTAssertEqual(
            try error("resources:\n  a: {memory: 2G}\nprofiles: {p: {}}\n"),
            "pipeline.yaml:4:7: unknown key 'memory' in the resources of 'a' (expected one of: cpus, mem, time, "
                + "nodes, tasks, options)"
        )
        XCTAssertEqual(
            try error("resources:\n  a: {mem: lots}\nprofiles: {p: {}}\n"),
            "pipeline.yaml:4:3: resources of 'a': mem 'lots' is not a size such as 4G or 500M")
        XCTAssertEqual(
            try error("profiles:\n  p: {executor: slrum}\n"),
            "pipeline.yaml:4:17: unknown executor 'slrum'; did you mean slurm? (expected local or slurm)")
        XCTAssertEqual(
            try error("profiles:\n  p:\n    resources: {a: {time: soon}}\n"),
            "pipeline.yaml:5:17: resources of 'a': time 'soon' is not minutes, H:M:S or D-H:M:S")
    }

    func testSbatchSpellings() {
        XCTAssertEqual(ResourceRequest.megabytes("4G"), 4096)
        XCTAssertEqual(ResourceRequest.megabytes("500"), 500)
        XCTAssertEqual(ResourceRequest.megabytes("2t"), 2 * 1_048_576)
        XCTAssertNil(ResourceRequest.megabytes("lots"))
        XCTAssertEqual(ResourceRequest.memory(megabytes: 700.2), "701M")
        XCTAssertEqual(ResourceRequest.memory(megabytes: 6321), "7G")
        XCTAssertEqual(ResourceRequest.seconds("90"), 5400)
        XCTAssertEqual(ResourceRequest.seconds("1:30"), 90)
        XCTAssertEqual(ResourceRequest.seconds("2:00:00"), 7200)
        XCTAssertEqual(ResourceRequest.seconds("1-12"), 129_600)
        XCTAssertEqual(ResourceRequest.seconds("7-00:00:00"), 604_800)
        XCTAssertNil(ResourceRequest.seconds("1:xx"))
        XCTAssertEqual(ResourceRequest.time(seconds: 30), "00:01:00")
        XCTAssertEqual(ResourceRequest.time(seconds: 3601), "01:01:00")
        XCTAssertEqual(ResourceRequest.time(seconds: 90_000), "1-01:00:00")
        let top = ResourceRequest(memory: "8G", options: ["--qos=long"])
        XCTAssertEqual(
            ResourceRequest(cpus: 2, memory: "4G", options: ["--qos=long"]).overlaid(by: top),
            ResourceRequest(cpus: 2, memory: "8G", options: ["--qos=long"]))
    }
}

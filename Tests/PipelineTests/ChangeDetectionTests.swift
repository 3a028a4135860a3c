import Foundation
import Pipeline
import XCTest

/// After each kind of change, exactly the right stages run, for the right printed reasons.
final class ChangeDetectionTests: XCTestCase {
    func testFirstRunProducesTheExpectedFilesThenNothingRuns() throws {
        let sandbox = try Sandbox(fixture: "chain")
        let first = try sandbox.run()
        XCTAssertEqual(first.ran, ["words", "upper", "count", "report"])
        XCTAssertEqual(Sandbox.reasons(first, "words"), ["no record in the lock"])
        for name in ["upper.txt", "count.txt", "report.txt"] {
            let stage = ["upper.txt": "upper", "count.txt": "count", "report.txt": "report"][name]!
            XCTAssertEqual(
                try sandbox.output(stage, name),
                try String(
                    contentsOf: Sandbox.fixtures.appendingPathComponent("chain/expected/\(name)"), encoding: .utf8))
        }
        let lock = try sandbox.lock()
        XCTAssertEqual(lock.stages["report"]?.metrics, ["words": .number(3), "status": .text("ok")])
        XCTAssertEqual(lock.stages["report"]?.outputs["timing.txt"]?.volatile, true)
        XCTAssertEqual(lock.environment, ["test": "1"])

        let second = try sandbox.run()
        XCTAssertEqual(second.ran, [])
        XCTAssertEqual(second.upToDate, ["words", "upper", "count", "report"])
        XCTAssertTrue(try sandbox.status().stages.allSatisfy { $0.state == .upToDate })
    }

    func testParameterChangeRerunsTheStageAndWhatReadsIt() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run()
        try sandbox.edit(
            "wc -l < $DEPS/words/sorted.txt | tr -d ' '", "grep -c . $DEPS/words/sorted.txt | sed 's/$/0/'")
        let status = try sandbox.status()
        XCTAssertEqual(status.stages.map(\.state), [.upToDate, .upToDate, .stale, .stale])
        XCTAssertEqual(status.stages[2].reasons.count, 1)
        XCTAssertEqual(
            status.stages[2].reasons[0].description,
            #"param run changed from "wc -l < $DEPS/words/sorted.txt | tr -d ' ' > $OUT/count.txt" to "#
                + #""grep -c . $DEPS/words/sorted.txt | sed 's/$/0/' > $OUT/count.txt""#
        )
        XCTAssertEqual(status.stages[3].reasons.map(\.description), ["dependency count is stale (runs first)"])

        let summary = try sandbox.run()
        XCTAssertEqual(summary.ran, ["count", "report"])
        XCTAssertEqual(Sandbox.reasons(summary, "report"), ["dependency count changed"])
        XCTAssertEqual(try sandbox.output("count", "count.txt"), "30\n")
        XCTAssertEqual(try sandbox.output("report", "report.txt"), "30 words\nAPPLE\nFIG\nPEAR\n")
    }

    func testInputFileContentChangeRerunsEverythingDownstream() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run()
        try sandbox.write("words.txt", "kiwi\nfig\n")
        XCTAssertEqual(try sandbox.status().stages[0].reasons.map(\.description), ["input words.txt changed"])
        let summary = try sandbox.run()
        XCTAssertEqual(summary.ran, ["words", "upper", "count", "report"])
        XCTAssertEqual(Sandbox.reasons(summary, "upper"), ["dependency words changed"])
        XCTAssertEqual(try sandbox.output("report", "report.txt"), "2 words\nFIG\nKIWI\n")
    }

    func testEarlyCutoffWhenARebuiltStageProducesIdenticalBytes() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run()
        // Same words, different order: `words` reruns, its sorted output is identical.
        try sandbox.write("words.txt", "fig\npear\napple\n")
        let summary = try sandbox.run()
        XCTAssertEqual(summary.ran, ["words"])
        XCTAssertEqual(summary.upToDate, ["upper", "count", "report"])
    }

    func testKindVersionBumpRerunsEveryStageOfTheKind() throws {
        let yaml = """
            stages:
              greet: {kind: echo, params: {text: hello}}
              shout: {kind: cmd, deps: [greet], params: {run: "tr a-z A-Z < $DEPS/greet/out.txt > $OUT/x", outputs: \
            [x]}}
            """
        let sandbox = try Sandbox(yaml: yaml)
        sandbox.kinds = [CmdKind(), EchoKind(version: 1)]
        try sandbox.run()
        sandbox.kinds = [CmdKind(), EchoKind(version: 2)]
        XCTAssertEqual(try sandbox.status().stages[0].reasons.map(\.description), ["kind version changed from 1 to 2"])
        let summary = try sandbox.run()
        XCTAssertEqual(summary.ran, ["greet"])  // same bytes: shout is cut off
        XCTAssertEqual(summary.upToDate, ["shout"])
    }

    func testProfileOverridesRerunOnlyTheStagesTheyChange() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run()
        let summary = try sandbox.run(profile: "shouting")
        // A new lock for the profile: unchanged stages are reused from the store by key.
        XCTAssertEqual(summary.reused, ["words", "count"])
        XCTAssertEqual(summary.ran, ["upper", "report"])
        XCTAssertEqual(try sandbox.output("upper", "upper.txt", profile: "shouting"), "APPLE!\nFIG!\nPEAR!\n")
        XCTAssertEqual(try sandbox.run(profile: "shouting").ran, [])
        XCTAssertEqual(try sandbox.run().ran, [], "the paper profile's lock is untouched")
    }

    func testCommandLineParamIsTypedAndRerunsTheStage() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  greet: {kind: echo, params: {text: hello}}
                """)
        sandbox.kinds = [EchoKind()]
        try sandbox.run()
        let summary = try sandbox.run(params: ["greet.repeat=2", "greet.loud=true"])
        XCTAssertEqual(summary.ran, ["greet"])
        XCTAssertEqual(
            Sandbox.reasons(summary, "greet"),
            ["param loud changed from false to true", "param repeat changed from 1 to 2"])
        XCTAssertEqual(try sandbox.output("greet", "out.txt"), "HELLO\nHELLO\n")
        // Back to the file's values: the first result is still in the store.
        XCTAssertEqual(try sandbox.run().reused, ["greet"])
    }

    func testGlobOverridesAndDefaultsApplyToEveryMatchingStage() throws {
        let sandbox = try Sandbox(
            yaml: """
                defaults:
                  echo: {repeat: 3}
                stages:
                  student_a: {kind: echo, params: {text: a}}
                  student_b: {kind: echo, params: {text: b, repeat: 2}}
                  teacher: {kind: echo, params: {text: t}}
                profiles:
                  smoke:
                    "student_*.repeat": 1
                    teacher.loud: true
                """)
        sandbox.kinds = [EchoKind()]
        let paper = try sandbox.load()
        XCTAssertEqual(paper.stages.map { $0.parameters.int("repeat") }, [3, 2, 3])
        let smoke = try sandbox.load(profile: "smoke")
        XCTAssertEqual(smoke.stages.map { $0.parameters.int("repeat") }, [1, 1, 3])
        XCTAssertEqual(smoke.stage("teacher")?.parameters.bool("loud"), true)
        let cli = try sandbox.load(profile: "smoke", params: ["*.repeat=5"])
        XCTAssertEqual(cli.stages.map { $0.parameters.int("repeat") }, [5, 5, 5])
    }

    func testStatusNamesMissingAndCorruptedOutputsAndRunRepairsThem() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run()
        let lock = try sandbox.lock()
        let upper = sandbox.artifacts.store.path(lock.stages["upper"]!.outputs["upper.txt"]!.sha256)
        let count = sandbox.artifacts.store.path(lock.stages["count"]!.outputs["count.txt"]!.sha256)
        try FileManager.default.removeItem(at: upper)
        chmod(count.path, 0o644)
        try "4\n".write(to: count, atomically: false, encoding: .utf8)
        let status = try sandbox.status()
        XCTAssertEqual(status.stages[1].reasons.map(\.description), ["output upper.txt is missing from the cache"])
        XCTAssertEqual(status.stages[2].reasons.map(\.description), ["output count.txt is corrupted in the cache"])
        let summary = try sandbox.run()
        XCTAssertEqual(summary.ran, ["upper", "count"])
        XCTAssertEqual(summary.upToDate, ["words", "report"])
        XCTAssertEqual(try sandbox.output("count", "count.txt"), "3\n")
    }

    func testStageCommandRunsUpstreamAndDownstreamOnRequest() throws {
        let sandbox = try Sandbox(fixture: "chain")
        XCTAssertEqual(try sandbox.run(targets: ["upper"]).ran, ["words", "upper"])
        XCTAssertEqual(try sandbox.run(targets: ["upper"], force: ["upper"]).ran, ["upper"])
        let downstream = try sandbox.run(targets: ["count"], downstream: true)
        XCTAssertEqual(downstream.ran, ["count", "report"])
        XCTAssertThrowsError(try Plan.selection(try sandbox.load(), targets: ["uper"])) { error in
            XCTAssertEqual("\(error)", "no stage named 'uper' in pipeline.yaml; did you mean upper?")
        }
    }

    func testDryRunPlanListsStagesInOrderWithReasonsAndEstimates() throws {
        let sandbox = try Sandbox(fixture: "chain")
        let pipeline = try sandbox.load()
        let before = try Plan.make(
            pipeline: pipeline, artifacts: sandbox.artifacts, selection: pipeline.stages.map(\.name), forced: [])
        XCTAssertEqual(before.steps.map(\.stage), ["words", "upper", "count", "report"])
        XCTAssertNil(before.steps[0].estimate)
        try sandbox.run()
        try sandbox.write("words.txt", "plum\n")
        let after = try Plan.make(
            pipeline: pipeline, artifacts: sandbox.artifacts, selection: pipeline.stages.map(\.name), forced: [])
        XCTAssertEqual(after.steps.map(\.stage), ["words", "upper", "count", "report"])
        XCTAssertNotNil(after.steps[0].estimate)
        XCTAssertTrue(after.text.contains("1. words ["))
        XCTAssertTrue(after.text.contains("     - input words.txt changed"))
        XCTAssertTrue(after.text.contains("     - dependency words is stale (runs first)"))
    }

    func testLockFileIsSortedCanonicalAndRoundTrips() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run()
        let text = try String(contentsOf: sandbox.artifacts.lockFile(profile: "paper"), encoding: .utf8)
        XCTAssertTrue(
            text.hasPrefix(
                "{\n  \"environment\": {\n    \"test\": \"1\"\n  },\n  \"scheme\": 2,\n  \"stages\": {\n    "
                    + "\"count\": {"
            ))
        let lock = try sandbox.lock()
        XCTAssertEqual(lock.stages.keys.sorted(), ["count", "report", "upper", "words"])
        // A stage removed from the file loses its entry at the next write.
        try sandbox.edit(
            "profiles:\n", "  extra:\n    kind: cmd\n    params: {run: 'echo > $OUT/e', outputs: [e]}\nprofiles:\n")
        try sandbox.run()
        XCTAssertNotNil(try sandbox.lock().stages["extra"])
        try sandbox.edit("  extra:\n", "  extra2:\n")
        try sandbox.run()
        XCTAssertEqual(try sandbox.lock().stages.keys.sorted(), ["count", "extra2", "report", "upper", "words"])
    }

    func testKeysIgnoreSpellingAndOrderButNotValues() throws {
        let a = try Sandbox(yaml: "stages:\n  s: {kind: echo, params: {text: hi, scale: 2, repeat: 1}}\n")
        let b = try Sandbox(
            yaml: "stages:\n  s:\n    params:\n      repeat: 1\n      scale: 2.0\n      text: 'hi'\n    kind: echo\n")
        let c = try Sandbox(yaml: "stages:\n  s: {kind: echo, params: {text: hi, scale: 2.5}}\n")
        for sandbox in [a, b, c] { sandbox.kinds = [EchoKind()] }
        let keys = try [a, b, c].map { try XCTUnwrap($0.status().stages[0].key) }
        XCTAssertEqual(keys[0], keys[1])
        XCTAssertNotEqual(keys[0], keys[2])
    }
}

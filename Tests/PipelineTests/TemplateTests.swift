import Foundation
@testable import Pipeline
import XCTest

/// Studies as data: templates (`matrix`, `foreach`), dependencies inferred from
/// stage-typed parameters, seeds, and keys that hold only what changes a result.
final class TemplateTests: XCTestCase {
    private func load(_ yaml: String, profile: String = "paper", params: [String] = [],
                      kinds: [any StageKind] = [StudyKind(), EchoKind()]) throws -> PipelineDefinition {
        let sandbox = try Sandbox(yaml: yaml)
        sandbox.kinds = kinds
        return try sandbox.load(profile: profile, params: params)
    }

    private func error(_ yaml: String, profile: String = "paper", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try Sandbox.loadError(yaml, kinds: [StudyKind(), EchoKind()], profile: profile, file: file, line: line)
    }

    private func key(_ stage: ResolvedStage) -> String {
        StageFingerprint(kind: stage.kind.name, kindVersion: stage.kind.version, parameters: stage.keyParameters,
                         dependencies: [:], inputs: [:]).key
    }

    func testMatrixIsTheProductInOrderWithPredictableNames() throws {
        let pipeline = try load("""
            stages:
              grid:
                kind: study
                matrix:
                  mode: [a, b]
                  detail: {low: 1, high: 9}
                params: {text: "${mode}-${detail}"}
            """)
        XCTAssertEqual(pipeline.stages.map(\.name),
                       ["grid@mode=a,detail=low", "grid@mode=a,detail=high", "grid@mode=b,detail=low", "grid@mode=b,detail=high"])
        let last = try XCTUnwrap(pipeline.stage("grid@mode=b,detail=high"))
        XCTAssertEqual(last.parameters["mode"], .string("b"))
        XCTAssertEqual(last.parameters["detail"], .int(9))
        XCTAssertEqual(last.parameters["text"], .string("b-high"))
    }

    func testNamePatternAndListValuedAxis() throws {
        let pipeline = try load("""
            stages:
              runs:
                kind: study
                matrix: {tags: [[x, y], [z]], mode: [a]}
                name: "run_${tags}_${mode}"
                params: {text: t}
            """)
        XCTAssertEqual(pipeline.stages.map(\.name), ["run_x-y_a", "run_z_a"])
        XCTAssertEqual(pipeline.stage("run_x-y_a")?.parameters["tags"], .list([.string("x"), .string("y")]))
    }

    func testForeachOverAKindAndOverAList() throws {
        let pipeline = try load("""
            stages:
              one: {kind: study, params: {text: "1"}}
              grid: {kind: study, matrix: {mode: [a, b]}, params: {text: g}}
              check:
                foreach: {kind: study}
                name: "${item}_check"
                kind: echo
                params: {text: "checks ${item}"}
              note:
                foreach: [x, y]
                kind: echo
                params: {text: "${item}"}
            """)
        XCTAssertEqual(pipeline.stages.map(\.name).filter { $0.hasSuffix("_check") },
                       ["one_check", "grid@mode=a_check", "grid@mode=b_check"])
        XCTAssertEqual(pipeline.stage("grid@mode=b_check")?.parameters["text"], .string("checks grid@mode=b"))
        XCTAssertEqual(pipeline.stage("note@y")?.parameters["text"], .string("y"))
    }

    func testTemplateErrorsPointAtTheTemplate() throws {
        XCTAssertEqual(try error("stages:\n  a:\n    kind: echo\n    foreach: [x]\n    params: {text: \"${itme}\"}\n"),
                       "pipeline.yaml:5:20: unknown variable '${itme}' in '${itme}' (known here: ${item})")
        XCTAssertEqual(try error("stages:\n  a:\n    kind: echo\n    name: b\n    params: {text: x}\n"),
                       "pipeline.yaml:4:5: 'name' names the stages of a template; stage 'a' has no 'matrix' or 'foreach'")
        XCTAssertEqual(try error("stages:\n  a:\n    kind: study\n    matrix: {mode: [a]}\n    params: {text: x, mode: b}\n"),
                       "pipeline.yaml:5:23: 'mode' is both a matrix axis and a parameter of stage 'a'")
        XCTAssertEqual(try error("stages:\n  a:\n    kind: echo\n    foreach: {kind: study}\n    params: {text: x}\n"),
                       "pipeline.yaml:4:15: foreach: no stage has kind 'study'")
    }

    func testDependenciesAreInferredFromStageParameters() throws {
        let pipeline = try load("""
            stages:
              data: {kind: echo, params: {text: d}}
              model: {kind: study, params: {text: m, source: data}}
              other: {kind: study, params: {text: o, source: data}}
              table: {kind: study, params: {text: t, inputs: ["-", model, "oth*"]}}
            """)
        XCTAssertEqual(pipeline.stage("model")?.dependencies, ["data"])
        XCTAssertEqual(pipeline.stage("table")?.dependencies, ["model", "other"])
        XCTAssertEqual(pipeline.stage("table")?.parameters["inputs"], .list([.string("-"), .string("model"), .string("other")]))
        XCTAssertEqual(pipeline.stage("data")?.dependencies, [])
    }

    func testAMissingStageReferenceFailsAtLoadWithItsLine() throws {
        XCTAssertEqual(try error("stages:\n  data: {kind: echo, params: {text: d}}\n  model:\n    kind: study\n    params: {text: m, source: dta}\n"),
                       "pipeline.yaml:5:23: parameter 'source' of stage 'model' names unknown stage 'dta'; did you mean data?")
        XCTAssertEqual(try error("stages:\n  model:\n    kind: study\n    params: {text: m, inputs: [\"nothing*\"]}\n"),
                       "pipeline.yaml:4:23: parameter 'inputs' of stage 'model': 'nothing*' matches no stage")
        XCTAssertEqual(try error("profiles:\n  p:\n    model.source: gone\nstages:\n  model: {kind: study, params: {text: m}}\n", profile: "p"),
                       "pipeline.yaml:3:5: parameter 'source' of stage 'model' names unknown stage 'gone'")
    }

    private let seeded = """
        stages:
          data: {kind: echo, params: {text: d}}
          fixed: {kind: study, seeds: [7], params: {text: f, source: data}}
          train: {kind: study, params: {text: t, source: data}}
          student: {kind: study, params: {text: s, source: fixed}}
          check: {kind: echo, params: {text: c}, deps: [data]}
          score: {kind: score, params: {run: train}}
          table: {kind: gather, params: {text: x, inputs: [score, student]}}
        profiles:
          three: {seeds: [0, 1, 2]}
        """

    func testSeedsReplicateStagesAndTheirFollowers() throws {
        let pipeline = try load(seeded, profile: "three", kinds: [StudyKind(), StudyKind(name: "gather", seeded: false), EchoKind(), ScoreKind()])
        XCTAssertEqual(pipeline.stages.map(\.name), [
            "data", "fixed", "train@seed=0", "train@seed=1", "train@seed=2", "student@seed=0", "student@seed=1", "student@seed=2",
            "check", "score@seed=0", "score@seed=1", "score@seed=2", "table",
        ])
        XCTAssertEqual(pipeline.stage("fixed")?.parameters["seed"], .int(7))
        XCTAssertEqual(pipeline.stage("train@seed=2")?.parameters["seed"], .int(2))
        // A follower (no seed of its own) reads the replica of its seed.
        XCTAssertEqual(pipeline.stage("score@seed=1")?.parameters["run"], .string("train@seed=1"))
        XCTAssertEqual(pipeline.stage("score@seed=1")?.dependencies, ["train@seed=1"])
        // A list reads the whole group, which the kind aggregates.
        let table = try XCTUnwrap(pipeline.stage("table"))
        XCTAssertEqual(table.dependencies, ["score@seed=0", "score@seed=1", "score@seed=2",
                                            "student@seed=0", "student@seed=1", "student@seed=2"])
        XCTAssertEqual(table.members(of: "score"), ["score@seed=0", "score@seed=1", "score@seed=2"])
        // Names a user types: the group, one replica, a glob.
        XCTAssertEqual(try pipeline.expand(["train"]), ["train@seed=0", "train@seed=1", "train@seed=2"])
        XCTAssertEqual(try pipeline.expand(["score@seed=1", "fix*"]), ["fixed", "score@seed=1"])
        XCTAssertThrowsError(try pipeline.expand(["trian"])) { error in
            XCTAssertEqual("\(error)", "no stage named 'trian' in pipeline.yaml; did you mean train?")
        }
        // Without seeds in the profile nothing is replicated and names stay as written.
        XCTAssertEqual(try load(seeded, kinds: [StudyKind(), StudyKind(name: "gather", seeded: false), EchoKind(), ScoreKind()]).stages.count, 7)
    }

    func testGeneratedNamesTakeParameterOverrides() throws {
        let yaml = "stages:\n  grid: {kind: study, matrix: {lr: [0.1, 0.05]}, params: {text: g}}\n"
        let pipeline = try load(yaml, params: ["grid@lr=0.05.text=changed", "grid@lr=0.1.mode=b"])
        XCTAssertEqual(pipeline.stage("grid@lr=0.05")?.parameters["text"], .string("changed"))
        XCTAssertEqual(pipeline.stage("grid@lr=0.1")?.parameters["mode"], .string("b"))
    }

    func testKeysHoldOnlyWhatChangesTheResult() throws {
        let yaml = "stages:\n  a: {kind: study, params: {text: t}}\n"
        let base = key(try XCTUnwrap(try load(yaml).stage("a")))
        // Writing a default out, or changing a parameter the settings ignore, changes nothing.
        XCTAssertEqual(key(try XCTUnwrap(try load(yaml, params: ["a.mode=a"]).stage("a"))), base)
        XCTAssertEqual(key(try XCTUnwrap(try load(yaml, params: ["a.detail=5"]).stage("a"))), base)
        // A kind that gains a defaulted parameter keeps every key.
        XCTAssertEqual(key(try XCTUnwrap(try load(yaml, kinds: [StudyKind(extra: true)]).stage("a"))), base)
        // What is used changes the key.
        XCTAssertNotEqual(key(try XCTUnwrap(try load(yaml, params: ["a.text=u"]).stage("a"))), base)
        let b = key(try XCTUnwrap(try load(yaml, params: ["a.mode=b"]).stage("a")))
        XCTAssertNotEqual(b, base)
        XCTAssertNotEqual(key(try XCTUnwrap(try load(yaml, params: ["a.mode=b", "a.detail=5"]).stage("a"))), b)
    }

    /// Stages that share a key run with the same parameters: what the key leaves out
    /// reaches the run at its default (else the first to run would decide the bytes; the
    /// smoke profile under Slurm caught poly cells writing their decay epochs).
    func testStagesSharingAKeyRunWithTheSameParameters() throws {
        let pipeline = try load("stages:\n  a: {kind: study, params: {text: t, detail: 5}}\n  b: {kind: study, params: {text: t, detail: 7}}\n  c: {kind: study, params: {text: t, mode: b, detail: 7}}\n")
        let (a, b, c) = (try XCTUnwrap(pipeline.stage("a")), try XCTUnwrap(pipeline.stage("b")), try XCTUnwrap(pipeline.stage("c")))
        XCTAssertEqual(key(a), key(b))
        XCTAssertEqual(a.runParameters, b.runParameters)
        XCTAssertEqual(a.runParameters["detail"], .int(1))
        XCTAssertEqual(c.runParameters["detail"], .int(7))  // used in mode b
    }
}

/// A kind with a seed, a stage reference, a list of them and a parameter that matters
/// only in mode b (without the seed: a kind that aggregates). `extra: true` adds a defaulted parameter, as a kind gaining one would.
struct StudyKind: StageKind {
    var name = "study"
    let version = 1
    var seeded = true
    var extra = false

    var parameters: [Parameter] {
        [Parameter("text", .string, doc: "what to write")]
            + (seeded ? [Parameter("seed", .int, default: .int(0), doc: "a seed")] : [])
            + [
            Parameter("source", .stage, default: .string(""), doc: "a stage read"),
            Parameter("inputs", .list(.stage), default: .list([]), doc: "stages read"),
            Parameter("tags", .list(.string), default: .list([]), doc: "labels"),
            Parameter("lr", .float, default: .float(0.1), doc: "a rate"),
            Parameter("mode", .string, default: .string("a"), doc: "a or b"),
            Parameter("detail", .int, default: .int(1), doc: "used in mode b only", matters: { $0["mode"] == .string("b") }),
        ] + (extra ? [Parameter("new", .bool, default: .bool(false), doc: "added later")] : [])
    }

    func run(_ context: StageContext) throws -> StageResult {
        let out = context.outputDirectory.appendingPathComponent("out.txt")
        try "\(context.parameters["text"]!)\n".write(to: out, atomically: false, encoding: .utf8)
        return StageResult(outputs: ["out.txt": .init(out)])
    }
}

/// A kind without a seed that names one run, as `evaluate` does.
struct ScoreKind: StageKind {
    let name = "score"
    let version = 1
    let parameters = [Parameter("run", .stage, doc: "the run scored")]

    func run(_ context: StageContext) throws -> StageResult {
        let out = context.outputDirectory.appendingPathComponent("score.txt")
        try "1\n".write(to: out, atomically: false, encoding: .utf8)
        return StageResult(outputs: ["score.txt": .init(out)])
    }
}

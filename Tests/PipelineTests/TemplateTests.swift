import Foundation
import XCTest

@testable import Pipeline

/// Studies as data: templates (`matrix`, `foreach`), dependencies inferred from
/// stage-typed parameters, seeds, and keys that hold only what changes a result.
final class TemplateTests: XCTestCase {
    private func load(
        _ yaml: String, profile: String = "paper", params: [String] = [],
        kinds: [any StageKind] = [StudyKind(), EchoKind()]
    ) throws -> PipelineDefinition {
        let sandbox = try Sandbox(yaml: yaml)
        sandbox.kinds = kinds
        return try sandbox.load(profile: profile, params: params)
    }

    private func error(
        _ yaml: String, profile: String = "paper", params: [String] = [],
        kinds: [any StageKind] = [StudyKind(), EchoKind()],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        try Sandbox.loadError(yaml, kinds: kinds, profile: profile, params: params, file: file, line: line)
    }

    private func key(_ stage: ResolvedStage) -> String {
        StageFingerprint(
            kind: stage.kind.name, kindVersion: stage.kind.version, parameters: stage.keyParameters,
            dependencies: [:], inputs: [:]
        ).key
    }

    func testMatrixIsTheProductInOrderWithPredictableNames() throws {
        let pipeline = try load(
            """
            stages:
              grid:
                kind: study
                matrix:
                  mode: [a, b]
                  detail: {low: 1, high: 9}
                params: {text: "${mode}-${detail}"}
            """)
        XCTAssertEqual(
            pipeline.stages.map(\.name),
            ["grid@mode=a,detail=low", "grid@mode=a,detail=high", "grid@mode=b,detail=low", "grid@mode=b,detail=high"])
        let last = try XCTUnwrap(pipeline.stage("grid@mode=b,detail=high"))
        XCTAssertEqual(last.parameters["mode"], .string("b"))
        XCTAssertEqual(last.parameters["detail"], .int(9))
        XCTAssertEqual(last.parameters["text"], .string("b-high"))
    }

    func testNamePatternAndListValuedAxis() throws {
        let pipeline = try load(
            """
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
        let pipeline = try load(
            """
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
        XCTAssertEqual(
            pipeline.stages.map(\.name).filter { $0.hasSuffix("_check") },
            ["one_check", "grid@mode=a_check", "grid@mode=b_check"])
        XCTAssertEqual(pipeline.stage("grid@mode=b_check")?.parameters["text"], .string("checks grid@mode=b"))
        XCTAssertEqual(pipeline.stage("note@y")?.parameters["text"], .string("y"))
    }

    func testTemplateErrorsPointAtTheTemplate() throws {
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: echo\n    foreach: [x]\n    params: {text: \"${itme}\"}\n"),
            "pipeline.yaml:5:20: unknown variable '${itme}' in '${itme}' (known here: ${item})")
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: echo\n    name: b\n    params: {text: x}\n"),
            "pipeline.yaml:4:5: 'name' names the stages of a template; stage 'a' has no 'matrix' or 'foreach'")
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: study\n    matrix: {mode: [a]}\n    params: {text: x, mode: b}\n"),
            "pipeline.yaml:5:23: 'mode' is both a matrix axis and a parameter of stage 'a'")
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: echo\n    foreach: {kind: study}\n    params: {text: x}\n"),
            "pipeline.yaml:4:15: foreach: no stage has kind 'study'")
    }

    func testDependenciesAreInferredFromStageParameters() throws {
        let pipeline = try load(
            """
            stages:
              data: {kind: echo, params: {text: d}}
              model: {kind: study, params: {text: m, source: data}}
              other: {kind: study, params: {text: o, source: data}}
              table: {kind: study, params: {text: t, inputs: ["-", model, "oth*"]}}
            """)
        XCTAssertEqual(pipeline.stage("model")?.dependencies, ["data"])
        XCTAssertEqual(pipeline.stage("table")?.dependencies, ["model", "other"])
        XCTAssertEqual(
            pipeline.stage("table")?.parameters["inputs"], .list([.string("-"), .string("model"), .string("other")]))
        XCTAssertEqual(pipeline.stage("data")?.dependencies, [])
    }

    func testAMissingStageReferenceFailsAtLoadWithItsLine() throws {
        XCTAssertEqual(
            try error(
                "stages:\n  data: {kind: echo, params: {text: d}}\n  model:\n    kind: study\n    params: {text: m, "
                    + "source: dta}\n"
            ),
            "pipeline.yaml:5:23: parameter 'source' of stage 'model' names unknown stage 'dta'; did you mean data?")
        XCTAssertEqual(
            try error("stages:\n  model:\n    kind: study\n    params: {text: m, inputs: [\"nothing*\"]}\n"),
            "pipeline.yaml:4:23: parameter 'inputs' of stage 'model': 'nothing*' matches no stage")
        XCTAssertEqual(
            try error(
                "profiles:\n  p:\n    model.source: gone\nstages:\n  model: {kind: study, params: {text: m}}\n",
                profile: "p"),
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
        let pipeline = try load(
            seeded, profile: "three",
            kinds: [StudyKind(), StudyKind(name: "gather", seeded: false), EchoKind(), ScoreKind()])
        XCTAssertEqual(
            pipeline.stages.map(\.name),
            [
                "data", "fixed", "train@seed=0", "train@seed=1", "train@seed=2", "student@seed=0", "student@seed=1",
                "student@seed=2",
                "check", "score@seed=0", "score@seed=1", "score@seed=2", "table",
            ])
        XCTAssertEqual(pipeline.stage("fixed")?.parameters["seed"], .int(7))
        XCTAssertEqual(pipeline.stage("train@seed=2")?.parameters["seed"], .int(2))
        // A follower (no seed of its own) reads the replica of its seed.
        XCTAssertEqual(pipeline.stage("score@seed=1")?.parameters["run"], .string("train@seed=1"))
        XCTAssertEqual(pipeline.stage("score@seed=1")?.dependencies, ["train@seed=1"])
        // A list reads the whole group, which the kind aggregates.
        let table = try XCTUnwrap(pipeline.stage("table"))
        XCTAssertEqual(
            table.dependencies,
            [
                "score@seed=0", "score@seed=1", "score@seed=2",
                "student@seed=0", "student@seed=1", "student@seed=2",
            ])
        XCTAssertEqual(table.members(of: "score"), ["score@seed=0", "score@seed=1", "score@seed=2"])
        // Names a user types: the group, one replica, a glob.
        XCTAssertEqual(try pipeline.expand(["train"]), ["train@seed=0", "train@seed=1", "train@seed=2"])
        XCTAssertEqual(try pipeline.expand(["score@seed=1", "fix*"]), ["fixed", "score@seed=1"])
        XCTAssertThrowsError(try pipeline.expand(["trian"])) { error in
            XCTAssertEqual("\(error)", "no stage named 'trian' in pipeline.yaml; did you mean train?")
        }
        // Without seeds in the profile nothing is replicated and names stay as written.
        XCTAssertEqual(
            try load(seeded, kinds: [StudyKind(), StudyKind(name: "gather", seeded: false), EchoKind(), ScoreKind()])
                .stages.count, 7)
    }

    func testGeneratedNamesTakeParameterOverrides() throws {
        let yaml = "stages:\n  grid: {kind: study, matrix: {lr: [0.1, 0.05]}, params: {text: g}}\n"
        let pipeline = try load(yaml, params: ["grid@lr=0.05.text=changed", "grid@lr=0.1.mode=b"])
        XCTAssertEqual(pipeline.stage("grid@lr=0.05")?.parameters["text"], .string("changed"))
        XCTAssertEqual(pipeline.stage("grid@lr=0.1")?.parameters["mode"], .string("b"))
    }

    private let seededKinds: [any StageKind] = [
        StudyKind(), StudyKind(name: "gather", seeded: false), EchoKind(), ScoreKind(),
    ]

    /// Replicas and template-made stages take `--param`s and profile entries by the names
    /// `repro stage` knows them by; a later entry for the whole stage wins over one for a replica.
    func testReplicasTakeParameterOverridesByName() throws {
        let pipeline = try load(
            seeded, profile: "three", params: ["train@seed=1.lr=0.05", "*@seed=2.mode=b"],
            kinds: seededKinds)
        XCTAssertEqual(pipeline.stage("train@seed=1")?.parameters["lr"], .float(0.05))
        XCTAssertEqual(pipeline.stage("train@seed=0")?.parameters["lr"], .float(0.1))
        let modes = ["train@seed=2", "student@seed=2", "train@seed=1"].map { pipeline.stage($0)?.parameters["mode"] }
        XCTAssertEqual(modes, [.string("b"), .string("b"), .string("a")])
        let later = try load(
            seeded, profile: "three", params: ["train@seed=1.lr=0.05", "train.lr=0.2"],
            kinds: seededKinds)
        XCTAssertEqual(later.stage("train@seed=1")?.parameters["lr"], .float(0.2))
        let earlier = try load(
            seeded, profile: "three", params: ["train.lr=0.2", "train@seed=1.lr=0.05"],
            kinds: seededKinds)
        XCTAssertEqual(earlier.stage("train@seed=1")?.parameters["lr"], .float(0.05))
        XCTAssertEqual(earlier.stage("train@seed=0")?.parameters["lr"], .float(0.2))
    }

    func testReplicasOfTemplateMadeStagesAndProfileEntries() throws {
        let yaml = """
            stages:
              grid: {kind: study, matrix: {mode: [a, b]}, params: {text: g}}
            profiles:
              two: {seeds: [0, 1], "grid@mode=b@seed=0.text": zero}
            """
        let pipeline = try load(yaml, profile: "two", params: ["grid@mode=a@seed=1.lr=0.05"])
        XCTAssertEqual(pipeline.stage("grid@mode=b@seed=0")?.parameters["text"], .string("zero"))
        XCTAssertEqual(pipeline.stage("grid@mode=b@seed=1")?.parameters["text"], .string("g"))
        XCTAssertEqual(pipeline.stage("grid@mode=a@seed=1")?.parameters["lr"], .float(0.05))
        XCTAssertEqual(pipeline.stage("grid@mode=a@seed=0")?.parameters["lr"], .float(0.1))
    }

    func testBadReplicaOverridesAreRefused() throws {
        XCTAssertEqual(
            try error(seeded, profile: "three", params: ["train@seed=7.lr=1"], kinds: seededKinds),
            "--param train@seed=7.lr=1: unknown stage 'train@seed=7'; did you mean train@seed=0?")
        XCTAssertEqual(
            try error(seeded, params: ["train@seed=0.lr=1"], kinds: seededKinds),
            "--param train@seed=0.lr=1: unknown stage 'train@seed=0'")
        XCTAssertEqual(
            try error(seeded, profile: "three", params: ["score@seed=1.run=fixed"], kinds: seededKinds),
            "--param score@seed=1.run=fixed: 'run' names stages, and every replica of 'score' "
                + "reads those of its own seed; set it on 'score' instead")
        XCTAssertTrue(
            try error(seeded, profile: "three", params: ["train@seed=1.lr=x"], kinds: seededKinds)
                .hasPrefix("--param train@seed=1.lr=x: expected a number"))
    }

    /// Replication sets the seed: a seed written for a replicated stage would be replaced.
    func testSeedsThatReplicationReplacesAreRefused() throws {
        XCTAssertEqual(
            try error(seeded, profile: "three", params: ["train.seed=5"], kinds: seededKinds),
            "--param train.seed=5: the seed of 'train' is set by the seeds: [0, 1, 2] of profile 'three' "
                + "(pipeline.yaml:10:11), which run it as train@seed=0, train@seed=1, train@seed=2; "
                + "to run seed 5, change that list or give stage 'train' its own seeds: [5] in pipeline.yaml")
        XCTAssertEqual(
            try error(seeded, params: ["fixed.seed=3"], kinds: seededKinds),
            "--param fixed.seed=3: the seed of 'fixed' is set by its own seeds: [7] (pipeline.yaml:3:24); "
                + "to run seed 3, change that list")
        XCTAssertTrue(
            try error(seeded, profile: "three", params: ["train@seed=1.seed=4"], kinds: seededKinds)
                .hasPrefix("--param train@seed=1.seed=4: the seed of 'train@seed=1' is set by the seeds: [0, 1, 2]"))
        XCTAssertTrue(
            try error(seeded, profile: "three", params: ["*.seed=3"], kinds: seededKinds)
                .hasPrefix(
                    "--param *.seed=3: '*.seed' changes no stage it reaches: the seed of 'fixed' is set by its own"))
        // Without replication the seed is the parameter's; a glob sets it wherever it is read.
        let unseeded = try load(seeded, params: ["train.seed=5"], kinds: seededKinds)
        XCTAssertEqual(unseeded.stage("train")?.parameters["seed"], .int(5))
        XCTAssertEqual(
            try load(seeded, params: ["*.seed=3"], kinds: seededKinds).stage("student")?.parameters["seed"],
            .int(3))
        // What the message says to write works.
        let own = seeded.replacingOccurrences(of: "train: {kind: study,", with: "train: {kind: study, seeds: [5],")
        XCTAssertEqual(try load(own, profile: "three", kinds: seededKinds).stage("train")?.parameters["seed"], .int(5))
        // In the file: a stage's own seed parameter or a matrix axis that the seeds replace.
        let two = "profiles:\n  two: {seeds: [0, 1]}\n"
        XCTAssertEqual(
            try error("stages:\n  a: {kind: study, params: {text: t, seed: 3}}\n" + two, profile: "two"),
            "pipeline.yaml:2:38: stage 'a' sets 'seed' in its params, but the seeds: [0, 1] of profile "
                + "'two' (pipeline.yaml:4:9) set the seed of each run; write seeds: [3] on the stage instead "
                + "(a stage's seeds replace the profile's)")
        XCTAssertEqual(
            try error(
                "stages:\n  a: {kind: study, matrix: {seed: [3, 4]}, params: {text: t}}\n" + two,
                profile: "two"),
            "pipeline.yaml:2:29: 'seed' is a matrix axis of template 'a', but the seeds: [0, 1] of "
                + "profile 'two' (pipeline.yaml:4:9) set the seed of each run; replace the axis by "
                + "seeds: [3, 4] on the template (a stage's seeds replace the profile's)")
    }

    /// A template's axes and `${…}` values are what its stages' names state.
    func testOverridesOfWhatATemplateSetsPerStageAreRefused() throws {
        let yaml = """
            stages:
              grid: {kind: study, matrix: {mode: [a, b]}, params: {text: g}}
              note: {kind: echo, foreach: [x, y], params: {text: "${item}"}}
            """
        XCTAssertEqual(
            try error(yaml, params: ["grid@mode=a.mode=b"]),
            "--param grid@mode=a.mode=b: stage 'grid@mode=a': 'mode' is set per stage by template 'grid' "
                + "(pipeline.yaml:2:3) and its name says which; change the template there, "
                + "or add a stage of your own")
        XCTAssertEqual(
            try error(yaml, params: ["note@x.text=z"]),
            "--param note@x.text=z: stage 'note@x': 'text' is set per stage by template 'note' "
                + "(pipeline.yaml:3:3) and its name says which; change the template there, "
                + "or add a stage of your own")
        XCTAssertTrue(
            try error(yaml, params: ["*.mode=b"])
                .hasPrefix("--param *.mode=b: '*.mode' reaches stage 'grid@mode=a', whose 'mode' is set per stage"))
        XCTAssertEqual(
            try load(yaml, params: ["grid@mode=a.text=changed"]).stage("grid@mode=a")?.parameters["text"],
            .string("changed"))
    }

    /// A kind that ignores a parameter under the stage's other settings (`decay_epochs` under
    /// cosine) never reads a value given for it: refused, unless a glob sets it where it counts.
    func testOverridesThatTheKindIgnoresAreRefused() throws {
        let yaml =
            "stages:\n  a: {kind: study, params: {text: t}}\n  c: {kind: study, params: {text: t, mode: b}}\n"
            + "profiles:\n  p: {a.detail: 5}\n"
        let message =
            "stage 'a' ignores 'detail' (used in mode b only) with its other parameters, so its key "
            + "leaves the value out and the run never reads it; "
            + "drop it, or also set the parameters under which it counts"
        XCTAssertEqual(try error(yaml, params: ["a.detail=5"]), "--param a.detail=5: " + message)
        XCTAssertEqual(try error(yaml, profile: "p"), "pipeline.yaml:5:7: " + message)
        XCTAssertEqual(
            try error(yaml, params: ["a*.detail=5"]),
            "--param a*.detail=5: 'a*.detail' changes no stage it reaches: " + message)
        XCTAssertEqual(try load(yaml, params: ["a.detail=5", "a.mode=b"]).stage("a")?.parameters["detail"], .int(5))
        let glob = try load(yaml, params: ["*.detail=5"])
        XCTAssertEqual(glob.stage("c")?.parameters["detail"], .int(5))
    }

    func testKeysHoldOnlyWhatChangesTheResult() throws {
        let yaml = "stages:\n  a: {kind: study, params: {text: t}}\n"
        let base = key(try XCTUnwrap(try load(yaml).stage("a")))
        // Writing a default out, or a stage's own value of a parameter its settings ignore, changes nothing
        // (a `--param` of one is refused: testOverridesThatWouldChangeNothingAreRefused).
        XCTAssertEqual(key(try XCTUnwrap(try load(yaml, params: ["a.mode=a"]).stage("a"))), base)
        let ignored = "stages:\n  a: {kind: study, params: {text: t, detail: 5}}\n"
        XCTAssertEqual(key(try XCTUnwrap(try load(ignored).stage("a"))), base)
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
        let pipeline = try load(
            "stages:\n  a: {kind: study, params: {text: t, detail: 5}}\n  b: {kind: study, params: {text: t, detail: "
                + "7}}\n  c: {kind: study, params: {text: t, mode: b, detail: 7}}\n"
        )
        let (a, b, c) = (
            try XCTUnwrap(pipeline.stage("a")), try XCTUnwrap(pipeline.stage("b")), try XCTUnwrap(pipeline.stage("c"))
        )
        XCTAssertEqual(key(a), key(b))
        XCTAssertEqual(a.runParameters, b.runParameters)
        XCTAssertEqual(a.runParameters["detail"], .int(1))
        XCTAssertEqual(c.runParameters["detail"], .int(7))  // used in mode b
    }
}

/// A kind with a seed, a stage reference, a list of them and a parameter that matters
/// only in mode b (without the seed: a kind that aggregates). `extra: true` adds a defaulted parameter, as a kind
/// gaining one would.
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
                Parameter(
                    "detail", .int, default: .int(1), doc: "used in mode b only",
                    matters: { $0["mode"] == .string("b") }),
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

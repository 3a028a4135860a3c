import Foundation
import Pipeline
import XCTest

/// Each mistake in pipeline.yaml is reported with file, line, column and what was
/// expected, as bad input (exit 2).
final class SpecErrorTests: XCTestCase {
    private func error(
        _ yaml: String, profile: String = "paper", params: [String] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        try Sandbox.loadError(
            yaml, kinds: [CmdKind(), EchoKind()], profile: profile, params: params, file: file, line: line)
    }

    func testYAMLSyntaxError() throws {
        let message = try error("stages:\n  a: {kind: echo, params: {text: x}\n  b: [\n")
        XCTAssertTrue(message.hasPrefix("pipeline.yaml:3:"), message)
        XCTAssertTrue(message.contains("YAML syntax error"), message)
    }

    func testUnknownKindSuggestsTheNearest() throws {
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: ecko\n"),
            "pipeline.yaml:3:11: unknown kind 'ecko' for stage 'a'; did you mean echo? (known kinds: cmd, echo)")
    }

    func testUnknownParameterListsTheDeclaredOnes() throws {
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: echo\n    params:\n      text: hi\n      repeats: 2\n"),
            "pipeline.yaml:6:7: unknown parameter 'repeats' in stage 'a' (kind echo); did you mean repeat?; expected "
                + "one of: text, repeat, scale, loud, tags"
        )
    }

    func testMissingParameter() throws {
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: echo\n"),
            "pipeline.yaml:2:3: stage 'a' is missing parameter 'text' (a string: what to write)")
    }

    func testWrongTypes() throws {
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: echo\n    params: {text: hi, repeat: two}\n"),
            "pipeline.yaml:4:32: parameter 'repeat' of stage 'a': expected an integer, found 'two'")
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: echo\n    params: {text: hi, repeat: \"2\"}\n"),
            "pipeline.yaml:4:32: parameter 'repeat' of stage 'a': expected an integer, found the string \"2\"")
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: echo\n    params:\n      text: hi\n      tags: [x, [y]]\n"),
            "pipeline.yaml:6:13: parameter 'tags' of stage 'a': list item: expected a string, found a list")
        XCTAssertEqual(
            try error("stages:\n  a:\n    kind: echo\n    params: {text: hi, loud: maybe}\n"),
            "pipeline.yaml:4:30: parameter 'loud' of stage 'a': expected true or false, found 'maybe'")
    }

    func testUnknownDependencySuggestsTheNearest() throws {
        XCTAssertEqual(
            try error(
                "stages:\n  teacher: {kind: echo, params: {text: t}}\n  student:\n    kind: echo\n    deps: "
                    + "[teachr]\n    params: {text: s}\n"
            ),
            "pipeline.yaml:5:12: stage 'student' depends on unknown stage 'teachr'; did you mean teacher?")
    }

    func testCycleIsPrinted() throws {
        XCTAssertEqual(
            try error(
                "stages:\n  a: {kind: echo, deps: [b], params: {text: a}}\n  b: {kind: echo, deps: [a], params: "
                    + "{text: b}}\n"
            ),
            "pipeline.yaml:2:3: the dependencies form a cycle: a → b → a")
        XCTAssertEqual(
            try error(
                "stages:\n  a: {kind: echo, deps: [c], params: {text: a}}\n  b: {kind: echo, deps: [a], params: "
                    + "{text: b}}\n  c: {kind: echo, deps: [b], params: {text: b}}\n"
            ),
            "pipeline.yaml:2:3: the dependencies form a cycle: a → b → c → a")
    }

    func testDuplicateStageName() throws {
        XCTAssertEqual(
            try error(
                "stages:\n  a: {kind: echo, params: {text: a}}\n  b: {kind: echo, params: {text: b}}\n  a: {kind: "
                    + "echo, params: {text: c}}\n"
            ),
            "pipeline.yaml:4:3: duplicate name 'a' (first defined at line 2)")
    }

    func testUnknownProfileSuggestsTheNearest() throws {
        XCTAssertEqual(
            try error(
                "stages:\n  a: {kind: echo, params: {text: a}}\nprofiles:\n  smoke: {a.repeat: 2}\n", profile: "smoek"),
            "pipeline.yaml: unknown profile 'smoek'; did you mean smoke? (profiles: paper, smoke)")
    }

    func testProfileOverridesAreChecked() throws {
        XCTAssertEqual(
            try error(
                "stages:\n  a: {kind: echo, params: {text: a}}\nprofiles:\n  smoke:\n    b.repeat: 2\n",
                profile: "smoke"),
            "pipeline.yaml:5:5: unknown stage 'b'; did you mean a?")
        XCTAssertEqual(
            try error(
                "stages:\n  a: {kind: echo, params: {text: a}}\nprofiles:\n  smoke:\n    \"*.epochs\": 2\n",
                profile: "smoke"),
            "pipeline.yaml:5:5: no stage matching '*' has a parameter 'epochs'")
        XCTAssertEqual(
            try error(
                "stages:\n  a: {kind: echo, params: {text: a}}\nprofiles:\n  smoke:\n    a.repeat: lots\n",
                profile: "smoke"),
            "pipeline.yaml:5:15: parameter 'repeat' of profile 'smoke': expected an integer, found 'lots'")
    }

    func testCommandLineParamErrors() throws {
        let yaml = "stages:\n  teacher: {kind: echo, params: {text: a}}\n"
        XCTAssertEqual(
            try error(yaml, params: ["teacher.repeat=x"]), "--param teacher.repeat=x: expected an integer, found 'x'")
        XCTAssertEqual(
            try error(yaml, params: ["teachr.repeat=2"]),
            "--param teachr.repeat=2: unknown stage 'teachr'; did you mean teacher?")
        XCTAssertEqual(
            try error(yaml, params: ["teacher=2"]),
            "--param teacher=2: expected STAGE.KEY=VALUE (e.g. teacher.epochs=2 or '*.epochs=2')")
        XCTAssertTrue(try error(yaml, params: ["teacher.repat=2"]).contains("unknown parameter 'repat'"))
    }

    func testUnknownTopLevelAndStageKeys() throws {
        XCTAssertEqual(
            try error("stage:\n  a: {kind: echo}\n"),
            "pipeline.yaml:1:1: unknown key 'stage' in the pipeline file; did you mean stages? (expected one of: "
                + "stages, defaults, profiles, resources, remote)"
        )
        XCTAssertEqual(
            try error("stages:\n  a: {kind: echo, param: {text: a}}\n"),
            "pipeline.yaml:2:19: unknown key 'param' in stage 'a'; did you mean params? (expected one of: kind, "
                + "deps, params, seeds, matrix, foreach, name)"
        )
    }

    /// One value where a list is declared is a one-element list, in the file, in a profile
    /// and on the command line (repro's own offline hint passes a single path).
    func testScalarForAListIsAOneElementList() throws {
        let sandbox = try Sandbox(
            yaml: "stages:\n  a: {kind: echo, params: {text: a, tags: only}}\n"
                + "profiles:\n  smoke: {a.tags: profiled}\n")
        sandbox.kinds = [EchoKind()]
        XCTAssertEqual(try sandbox.load().stage("a")?.parameters["tags"], .list([.string("only")]))
        XCTAssertEqual(try sandbox.load(profile: "smoke").stage("a")?.parameters["tags"], .list([.string("profiled")]))
        XCTAssertEqual(
            try sandbox.load(params: ["a.tags=/path/to/cifar-100-binary.tar.gz"]).stage("a")?.parameters["tags"],
            .list([.string("/path/to/cifar-100-binary.tar.gz")]))
        XCTAssertEqual(
            try sandbox.load(params: ["a.tags=[x, y]"]).stage("a")?.parameters["tags"],
            .list([.string("x"), .string("y")]))
    }

    /// A cmd stage's declared outputs must stay inside $OUT: refused at load, with the line.
    func testCmdOutputsOutsideOutAreRefused() throws {
        for bad in ["../up.txt", "/etc/passwd", "sub/../../up.txt"] {
            XCTAssertEqual(
                try error("stages:\n  a: {kind: cmd, params: {run: 'true', outputs: ['\(bad)']}}\n"),
                "pipeline.yaml:2:3: stage 'a': output '\(bad)' must be a relative path inside $OUT")
        }
    }

    func testMergeKeysShareParameters() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  a: {kind: echo, params: &common {text: shared, repeat: 4}}
                  b:
                    kind: echo
                    params:
                      <<: *common
                      repeat: 2
                """)
        sandbox.kinds = [EchoKind()]
        let pipeline = try sandbox.load()
        XCTAssertEqual(pipeline.stage("b")?.parameters.string("text"), "shared")
        XCTAssertEqual(pipeline.stage("b")?.parameters.int("repeat"), 2)
    }
}

import Foundation
import Pipeline
import XCTest

/// The project's own pipeline.yaml: its templates and inferred dependencies describe the
/// same study as the file with every `deps:` written out (Fixtures/pipeline-explicit-deps.yaml).
final class PipelineFileTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var reproBinary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("repro")
    }

    /// Each stage's dependencies, from `repro dag --format dot`.
    private func dependencies(_ pipeline: URL, profile: String = "paper") throws -> [String: Set<String>] {
        let process = Process()
        process.executableURL = reproBinary
        process.arguments = ["dag", "--format", "dot", "--pipeline", pipeline.path, "--profile", profile]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        var deps: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") {
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
            if line.contains("->"), quoted.count >= 4 {
                deps[String(quoted[3]), default: []].insert(String(quoted[1]))
            } else if line.contains("[label="), quoted.count >= 2 {
                deps[String(quoted[1]), default: []] = deps[String(quoted[1])] ?? []
            }
        }
        return deps
    }

    func testInferredDependenciesEqualTheWrittenOnes() throws {
        // Table IV's cells took names from the matrix: step_w5 is step_p306090_w5, …
        let renamed = ["step_w5": "step_p306090_w5", "step_w20": "step_p306090_w20", "step_w5_p4080": "step_p4080_w5",
                       "step_w20_p4080": "step_p4080_w20", "poly_w5": "poly_p306090_w5", "poly_w20": "poly_p306090_w20",
                       "cosine_w20": "cosine_p306090_w20"]
        func rename(_ name: String) -> String {
            let base = name.hasSuffix("_eval") ? String(name.dropLast(5)) : name
            return (renamed[base] ?? base) + (name.hasSuffix("_eval") ? "_eval" : "")
        }
        let written = try dependencies(PipelineFileTests.root.appendingPathComponent("Tests/ReproTests/Fixtures/pipeline-explicit-deps.yaml"))
        let inferred = try dependencies(PipelineFileTests.root.appendingPathComponent("pipeline.yaml"))
        for (stage, deps) in written where stage != "table4" {
            XCTAssertEqual(inferred[rename(stage)], Set(deps.map(rename)), "dependencies of \(stage)")
        }
        // The matrix gives the cells the written file shared by hand (cosine and poly ignore
        // decay epochs) stages of their own; their keys are equal, so they run once.
        let added = Set(inferred.keys).subtracting(written.keys.map(rename))
        XCTAssertEqual(added, ["cosine_p306090_w5", "cosine_p4080_w5", "cosine_p4080_w20", "poly_p4080_w5", "poly_p4080_w20",
                               "cosine_p306090_w5_eval", "cosine_p4080_w5_eval", "cosine_p4080_w20_eval", "poly_p4080_w5_eval",
                               "poly_p4080_w20_eval"])
        let cells = ["step", "poly", "cosine"].flatMap { schedule in
            ["p306090_w5", "p306090_w20", "p4080_w5", "p4080_w20"].map { "\(schedule)_\($0)_eval" }
        }
        XCTAssertEqual(inferred["table4"], Set(cells))
    }

    func testCellsThatDifferOnlyInIgnoredParametersShareAKey() throws {
        let lock = try LockFile.read(PipelineFileTests.root.appendingPathComponent("artifacts/smoke.lock"))
        for seed in [0, 1] {
            let cosine = try XCTUnwrap(lock.stages["cosine@seed=\(seed)"]?.key)
            XCTAssertEqual(lock.stages["cosine_p306090_w5@seed=\(seed)"]?.key, cosine)
            XCTAssertEqual(lock.stages["cosine_p4080_w5@seed=\(seed)"]?.key, cosine)
            XCTAssertEqual(lock.stages["poly_p4080_w20@seed=\(seed)"]?.key, lock.stages["poly_p306090_w20@seed=\(seed)"]?.key)
            XCTAssertNotEqual(lock.stages["step_p4080_w20@seed=\(seed)"]?.key, lock.stages["step_p306090_w20@seed=\(seed)"]?.key)
        }
    }
}

import Foundation
import HDF5
import Pipeline
import XCTest

/// `repro verify` reruns everything into a scratch cache and names the first output (and,
/// through a registered comparer, the HDF5 dataset) that differs from the lock.
final class VerifyTests: XCTestCase {
    private func verify(
        _ sandbox: Sandbox, environment: [String: String] = ["test": "1"],
        comparers: OutputComparers = .none
    ) throws -> Verifier.Report {
        let pipeline = try sandbox.load()
        var options = RunOptions()
        options.showProgress = false
        options.environment = environment
        let verifier = Verifier(
            pipeline: pipeline, artifacts: sandbox.artifacts, options: options,
            comparers: comparers)
        return try verifier.run()
    }

    func testDeterministicPipelineVerifiesAndLeavesNoScratch() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run()
        let report = try verify(sandbox)
        XCTAssertTrue(report.passed, report.text)
        XCTAssertEqual(report.checked, ["words", "upper", "count", "report"])
        XCTAssertNil(report.environmentNote)
        let scratch = try FileManager.default.contentsOfDirectory(atPath: sandbox.artifacts.root.path).filter {
            $0.hasPrefix("scratch-")
        }
        XCTAssertEqual(scratch, [])
    }

    func testNondeterministicOutputIsNamed() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  clock: {kind: cmd, params: {run: 'date +%s%N > $OUT/now; echo same > $OUT/fixed', outputs: [fixed, \
                now]}}
                """)
        try sandbox.run()
        let report = try verify(sandbox, environment: ["test": "2"])
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.mismatches.map(\.stage), ["clock"])
        XCTAssertTrue(report.mismatches[0].message.hasPrefix("output now: sha256 "), report.mismatches[0].message)
        XCTAssertEqual(
            report.environmentNote,
            "note: the lock was written in another numeric environment, so bitwise equality is not promised (test: 1 "
                + "in the lock, 2 here)"
        )
    }

    func testVolatileOutputsAreNeverCompared() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  clock: {kind: cmd, params: {run: 'date +%s%N > $OUT/now; echo same > $OUT/fixed', outputs: [fixed, \
                now], volatile: [now]}}
                """)
        try sandbox.run()
        XCTAssertTrue(try verify(sandbox).passed)
    }

    func testFirstDifferingHDF5DatasetIsNamed() throws {
        let sandbox = try Sandbox(yaml: "stages:\n  model: {kind: weights, params: {}}\n")
        sandbox.kinds = [WeightsKind()]
        try sandbox.write("hidden-input.txt", "3")
        try sandbox.run()
        try sandbox.write("hidden-input.txt", "4")  // an input the stage never declared
        let report = try verify(sandbox, comparers: OutputComparers([HDF5Comparer()]))
        XCTAssertEqual(report.mismatches.count, 1)
        XCTAssertTrue(
            report.mismatches[0].message.contains("; dataset /params/w: first difference at flat index 2: 3.0 vs 4.0"),
            report.mismatches[0].message)
        // Without a comparer for the format, verify names the output and its hashes only.
        let plain = try verify(sandbox)
        XCTAssertTrue(plain.mismatches[0].message.hasPrefix("output model: sha256 "), plain.mismatches[0].message)
        XCTAssertFalse(plain.mismatches[0].message.contains("dataset"), plain.mismatches[0].message)
    }

    func testAComparerIsAskedOnlyAboutFilesItAccepts() throws {
        let sandbox = try Sandbox(
            yaml: """
                stages:
                  clock: {kind: cmd, params: {run: 'date +%s%N > $OUT/now', outputs: [now]}}
                """)
        try sandbox.run()
        let report = try verify(sandbox, comparers: OutputComparers([HDF5Comparer()]))
        XCTAssertEqual(report.mismatches.count, 1)
        let message = report.mismatches[0].message
        XCTAssertFalse(message.contains("dataset") || message.contains("HDF5"), message)
    }

    func testVerifyNeedsACompleteLock() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run(targets: ["upper"])
        XCTAssertThrowsError(try verify(sandbox)) { error in
            XCTAssertTrue(
                "\(error)".hasSuffix("has no entry for count, report; run `repro all --profile paper` first"),
                "\(error)")
        }
    }
}

/// Pipeline knows no HDF5: the executable registers this comparison (repro/HDF5OutputComparer.swift),
/// and the test, which cannot import the executable's types, registers the same one here.
private struct HDF5Comparer: OutputComparer {
    func accepts(_ file: URL) -> Bool { H5Comparison.isHDF5(file) }
    func firstDifference(_ expected: URL, _ actual: URL) -> String? {
        H5Comparison.firstDifference(expected, actual)
    }
    var equalContents: String { "every dataset and attribute is equal" }
}

/// Writes an HDF5 file whose third weight comes from a file it does not declare.
private struct WeightsKind: StageKind {
    let name = "weights"
    let version = 1
    let parameters: [Parameter] = []

    func run(_ context: StageContext) throws -> StageResult {
        let hidden = try String(
            contentsOf: context.pipelineDirectory.appendingPathComponent("hidden-input.txt"), encoding: .utf8)
        let url = context.outputDirectory.appendingPathComponent("model.h5")
        try H5File.write(url) { root in
            let params = try root.createGroup("params")
            try params.write("b", [Float(0.5)], shape: [1])
            try params.write("w", [Float(1), 2, Float(hidden)!], shape: [3])
        }
        return StageResult(outputs: ["model": .init(url)])
    }
}

import Foundation
import TestSupport
import XCTest

/// The kinds' estimates from the committed calibration (`artifacts/calibration/`), the
/// fallbacks for a model no calibration measured, and the paper's plan on a 32-node
/// cluster: its critical path under two days.
final class ClusterEstimateTests: ScratchTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A one-epoch ResNet56 the calibration measured, and one at half width it did not.
    let pipeline = """
        stages:
          cifar100:
            kind: dataset
            params: {url: [data.tar.gz], md5: 03b5dce01913d631647c71ecec9e9cb8, train_count: 50000,
                     test_count: 10000, classes: 100}
          measured: {kind: train, params: {model: cifar_resnet56_v1, epochs: 1}}
          unmeasured: {kind: train, params: {model: cifar_resnet56_v1, width: 0.5, epochs: 1}}
        profiles:
          paper: {cluster: {calibration: test-machine}}
          missing: {cluster: {calibration: no-such-machine}}
        """

    private func dryRun(_ extra: [String] = []) throws -> TestProcess.Result {
        try TestProcess.repro(
            ["all", "--executor", "slurm", "--dry-run"] + extra, in: directory, separateErrors: true)
    }

    func testUncalibratedModelsFallBackToTheNamedConstants() throws {
        try pipeline.write(to: directory.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        let calibrations = directory.appendingPathComponent("artifacts/calibration")
        try FileManager.default.createDirectory(at: calibrations, withIntermediateDirectories: true)
        let committed = try XCTUnwrap(
            FileManager.default.contentsOfDirectory(
                at: Self.root.appendingPathComponent("artifacts/calibration"), includingPropertiesForKeys: nil
            ).first { $0.pathExtension == "json" })
        try FileManager.default.copyItem(at: committed, to: calibrations.appendingPathComponent("test-machine.json"))
        let run = try dryRun()
        XCTAssertEqual(run.status, 0, run.output + run.errors)
        let lines = run.output.split(separator: "\n")
        let measured = try XCTUnwrap(lines.first { $0.hasPrefix("  measured [") })
        XCTAssertTrue(measured.contains("estimated; calibrated: "), String(measured))
        let unmeasured = try XCTUnwrap(lines.first { $0.hasPrefix("  unmeasured [") })
        XCTAssertTrue(unmeasured.contains("estimated; fallback: 30 GFLOP/s, 92 % parallel]"), String(unmeasured))
        // a calibration the profile names but the project lacks: the fallbacks, said so
        let missing = try dryRun(["--profile", "missing"])
        XCTAssertEqual(missing.status, 0, missing.output + missing.errors)
        XCTAssertTrue(missing.output.contains("  measured [~"), missing.output)
        XCTAssertFalse(missing.output.contains("calibrated: "), missing.output)
        // one that is there but damaged: bad input, one line
        try Data("{".utf8).write(to: calibrations.appendingPathComponent("test-machine.json"))
        let damaged = try dryRun()
        XCTAssertEqual(damaged.status, 2, damaged.output + damaged.errors)
        XCTAssertTrue(damaged.errors.contains("test-machine.json is not readable"), damaged.errors)
        XCTAssertEqual(damaged.errors.split(separator: "\n").count, 1, damaged.errors)
    }

    /// The target: the paper on 32 nodes of 32 cores at 10 Gb/s in under 48 hours,
    /// the teacher on its 8 data-parallel nodes.
    func testThePaperFitsInTwoDaysOnThirtyTwoNodes() throws {
        let run = try TestProcess.repro(
            [
                "all", "--profile", "paper", "--executor", "slurm", "--dry-run", "--force", "--cluster-nodes", "32",
                "--cluster-cores", "32", "--cluster-network", "10",
                "--pipeline", Self.root.appendingPathComponent("pipeline.yaml").path,
            ], separateErrors: true)
        XCTAssertEqual(run.status, 0, run.output + run.errors)
        let lines = run.output.split(separator: "\n")
        let teacher = try XCTUnwrap(lines.first { $0.hasPrefix("  teacher [") })
        XCTAssertTrue(teacher.contains(" nodes=8 tasks=8"), String(teacher))
        XCTAssertTrue(teacher.contains(" cpus=32 "), String(teacher))
        let path = try XCTUnwrap(lines.first { $0.hasPrefix("critical path (32 nodes of 32 cores, 10 Gb/s): ~") })
        let hours = try XCTUnwrap(path.split(separator: "~")[1].split(separator: "h").first.flatMap { Int($0) })
        XCTAssertLessThan(hours, 48, String(path))
        XCTAssertTrue(path.contains("through cifar100 -> teacher -> distillation"), String(path))
    }
}

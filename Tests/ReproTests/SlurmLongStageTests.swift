import Dataset
import Foundation
import TestSupport
import XCTest

/// Stages of the real pipeline under `--executor slurm` on the one-node cluster: a
/// training stage longer than its 1-minute time limit finishes through continuation jobs
/// with the bytes of a local run, and smoke-profile stages reproduce the committed lock.
final class SlurmLongStageTests: SlurmTestCase {
    private static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The stages' entries of a lock file, by name, as JSON text.
    private func entries(_ lock: URL, _ names: [String]) throws -> [String: String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: lock)) as! [String: Any]
        let stages = json["stages"] as! [String: Any]
        var result: [String: String] = [:]
        for name in names {
            guard let entry = stages[name] else { continue }
            result[name] = String(
                decoding: try JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]), as: UTF8.self)
        }
        return result
    }

    /// About 3 minutes of training on one CPU (200 epochs of 2,000 images; 80 took 70 s once the
    /// AVX2 kernels no longer spilled) under a 1-minute limit: each job is
    /// stopped by SIGTERM at its limit, saves the step it reached and exits 75; the driver
    /// submits continuations until it is done. The lock entry (checkpoint bytes included)
    /// equals a local run's, computed alongside.
    func testTrainingPastItsTimeLimitContinuesToTheBytesOfALocalRun() throws {
        let pipeline = """
            defaults:
              train: {model: cifar_resnet20_v1, width: 0.25, batch_size: 50, epochs: 200, schedule: cosine, \
            warmup_epochs: 1}
            stages:
              cifar100: {kind: dataset, params: {url: [tiny.tar.gz], sha256: SHA}}
              student: {kind: train, deps: [cifar100], params: {label_smoothing: 0.1}}
            """
        var roots: [URL] = []
        for name in ["local", "cluster"] {
            let root = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let archive = root.appendingPathComponent("tiny.tar.gz")
            try SyntheticCIFAR(trainCount: 2000, testCount: 100, fineClasses: 4, coarseClasses: 2, seed: 9)
                .writeArchive(to: archive)
            let sha = try ArchiveDigests.of(file: archive).sha256
            try pipeline.replacingOccurrences(of: "SHA", with: sha).write(
                to: root.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
            roots.append(root)
        }
        let local = try Driver(["all"], in: roots[0])
        let slurm = try Driver(
            ["all", "--executor", "slurm", "--slurm-cpus", "1", "--slurm-time", "1", "--poll-interval", "1"],
            in: roots[1])
        let localResult = local.finish()
        let slurmResult = slurm.finish()
        XCTAssertEqual(localResult.status, 0, localResult.output)
        XCTAssertEqual(slurmResult.status, 0, slurmResult.output)
        XCTAssertTrue(
            slurmResult.output.contains("checkpointed before its time limit; submitting continuation 1"),
            slurmResult.output)
        let names = ["cifar100", "student"]
        let expected = try entries(roots[0].appendingPathComponent("artifacts/paper.lock"), names)
        XCTAssertEqual(expected.count, 2)
        XCTAssertEqual(try entries(roots[1].appendingPathComponent("artifacts/paper.lock"), names), expected)
        let jobs = jobs(named: "repro-paper-student", of: roots[1])
        XCTAssertGreaterThanOrEqual(jobs.count, 2, "\(jobs)")
        print("continuation test: student ran in \(jobs.count) jobs: \(jobs)")
    }

    /// The smoke profile's dataset, one seed's baseline training and its evaluation as
    /// Slurm jobs: their lock entries are the committed artifacts/smoke.lock's.
    func testSmokeStagesReproduceTheCommittedLock() throws {
        let root = directory.appendingPathComponent("smoke")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("artifacts"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Self.projectRoot.appendingPathComponent("pipeline.yaml"),
            to: root.appendingPathComponent("pipeline.yaml"))
        try FileManager.default.copyItem(
            at: Self.projectRoot.appendingPathComponent("artifacts/data"),
            to: root.appendingPathComponent("artifacts/data"))
        let targets =
            ProcessInfo.processInfo.environment["REPRO_SLURM_SMOKE_STAGES"].map {
                $0.split(separator: ",").map(String.init)
            }
            ?? ["baseline_eval@seed=0"]
        let started = Date()
        let run = try repro(
            ["stage"] + targets + ["--profile", "smoke", "--executor", "slurm", "--poll-interval", "1"], in: root)
        XCTAssertEqual(run.status, 0, run.output)
        print("smoke stages \(targets) under Slurm: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        let produced = try entries(
            root.appendingPathComponent("artifacts/smoke.lock"),
            allStages(in: root.appendingPathComponent("artifacts/smoke.lock")))
        XCTAssertGreaterThanOrEqual(produced.count, 3)
        XCTAssertEqual(
            produced, try entries(Self.projectRoot.appendingPathComponent("artifacts/smoke.lock"), Array(produced.keys))
        )
    }

    private func allStages(in lock: URL) throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: lock)) as! [String: Any]
        return (json["stages"] as! [String: Any]).keys.sorted()
    }
}

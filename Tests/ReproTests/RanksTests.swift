import Foundation
import Pipeline
import TestSupport
import XCTest

/// Data-parallel trainings as P MPI ranks (`repro stage NAME --ranks P`, Open MPI's
/// mpirun on loopback, oversubscribed): the checkpoint and history of every P from 1 to
/// K, whether or not P divides K, are those of one process with `devices: K`.
final class RanksTests: ScratchTestCase {
    static let stages = """
          dp4: {kind: train, deps: [cifar100], params: {devices: 4, batch_size: 48}}
          dp6: {kind: train, deps: [cifar100], params: {model: cifar_resnext29_2x4d, width: 0.25, devices: 6, \
        batch_size: 48, epochs: 1, warmup_epochs: 0}}
          dp4_kd: {kind: train, deps: [cifar100, dp4], params: {teacher: dp4, devices: 4, batch_size: 48, \
        epochs: 1, warmup_epochs: 0, mixup: interpolation, mixup_alpha: 0.2}}
          dp4_adam: {kind: train, deps: [cifar100], params: {devices: 4, batch_size: 48, optimizer: adam, lr: 0.01, \
        eval_batch_size: 16, epochs: 1, warmup_epochs: 0}}
        """

    func project() throws -> PaperProject {
        try PaperProject.create(at: directory, epochs: 2, extra: Self.stages)
    }

    /// What a stage's lock entry says of its checkpoint and history.
    func outputs(_ project: PaperProject, _ stage: String) throws -> [String] {
        let entry = try XCTUnwrap(try project.lock().stages[stage], "no lock entry for \(stage)")
        return ["checkpoint", "history"].map { entry.outputs[$0]?.sha256 ?? "missing \($0)" }
    }

    func check(_ stage: String, ranks: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let project = try project()
        let single = try project.run(["stage", stage])
        XCTAssertEqual(single.status, 0, single.output, file: file, line: line)
        let expected = try outputs(project, stage)
        for p in ranks {
            let result = try project.run(["stage", stage, "--force", "--ranks", String(p)])
            XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
            XCTAssertTrue(result.output.contains("\(p) ranks"), result.output, file: file, line: line)
            XCTAssertEqual(try outputs(project, stage), expected, "\(stage) on \(p) ranks", file: file, line: line)
        }
    }

    func testResNet20OnFourDevicesGivesTheSameBytesOnOneToFourRanks() throws {
        try check("dp4", ranks: [2, 3, 4])
    }

    func testResNeXtOnSixDevicesGivesTheSameBytesOnTwoToFiveRanks() throws {
        try check("dp6", ranks: [2, 3, 4, 5])
    }

    func testDistillationSplitsTheTeachersForwardToo() throws {
        try check("dp4_kd", ranks: [3])
    }

    /// The 60 test images in 4 batches of 16 (the last of 12): each rank evaluates its
    /// block of batches, the history keeps the one-process bits; Adam's two states are
    /// gathered for the save like the momentum.
    func testEvaluationSplitOverRanksKeepsTheBits() throws {
        try check("dp4_adam", ranks: [2, 3])
    }

    /// Each rank keeps the optimizer's state of its own slice of the parameters, and the
    /// slices cover them once (each rank says so in the launch's log).
    func testEachRankKeepsOnlyItsSliceOfTheOptimizerState() throws {
        let project = try project()
        let result = try project.run(["stage", "dp4_adam", "--ranks", "3"])
        XCTAssertEqual(result.status, 0, result.output)
        let log = try String(
            contentsOf: project.root.appendingPathComponent("artifacts/logs/dp4_adam.ranks.log"), encoding: .utf8)
        let pattern = /rank (\d) of 3: optimizer state for parameters (\d+)\.\.<(\d+), (\d+) of (\d+)/
        let slices = log.split(separator: "\n").compactMap { line in
            line.firstMatch(of: pattern).map { (Int($0.1)!, Int($0.2)!..<Int($0.3)!, Int($0.4)!, Int($0.5)!) }
        }.sorted { $0.0 < $1.0 }
        XCTAssertEqual(slices.map(\.0), [0, 1, 2], log)
        guard let total = slices.first?.3 else { return }
        XCTAssertEqual(slices.first?.1.lowerBound, 0)
        XCTAssertEqual(slices.last?.1.upperBound, total)
        for (a, b) in zip(slices, slices.dropFirst()) { XCTAssertEqual(a.1.upperBound, b.1.lowerBound, log) }
        for slice in slices {
            XCTAssertEqual(slice.1.count, slice.2)
            XCTAssertLessThan(slice.2, total / 2, "rank \(slice.0) keeps about a third, not the whole")
        }
    }
}

/// Faults of a multi-process training: a stop request reaches every rank, and a rank that
/// dies takes the launch down; either way the run continues from its one saved state, on
/// any number of ranks, and ends with the bytes of an uninterrupted one-process run.
final class RanksFaultTests: ScratchTestCase {
    static let stage = "  long: {kind: train, deps: [cifar100], params: {devices: 4, batch_size: 48, epochs: 30}}"

    /// The uninterrupted one-process run's checkpoint and history.
    func reference() throws -> [String] {
        let project = try PaperProject.create(at: directory.appendingPathComponent("reference"), extra: Self.stage)
        let result = try project.run(["stage", "long"])
        XCTAssertEqual(result.status, 0, result.output)
        return try outputs(project)
    }

    func outputs(_ project: PaperProject) throws -> [String] {
        let entry = try XCTUnwrap(try project.lock().stages["long"], "no lock entry for long")
        return ["checkpoint", "history"].map { entry.outputs[$0]?.sha256 ?? "missing \($0)" }
    }

    /// Starts `repro stage long` with `arguments` and waits until rank 0 logged epoch 1.
    func start(
        _ project: PaperProject, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> TestProcess.Started {
        let run = try TestProcess.Started(["stage", "long"] + arguments, in: project.root, environment: environment)
        let log = project.root.appendingPathComponent("artifacts/logs/long.log")
        XCTAssertTrue(
            LogWatcher.wait(for: log, containing: "epoch 1/30:", while: { run.process.isRunning }),
            "the first epoch was logged before the run ended")
        return run
    }

    func testStoppedOnThreeRanksContinuesOnTwoWithTheBytesOfOneProcess() throws {
        let expected = try reference()
        let project = try PaperProject.create(at: directory.appendingPathComponent("stopped"), extra: Self.stage)
        let run = try start(project, ["--ranks", "3"])
        run.process.interrupt()
        let stopped = run.finish()
        XCTAssertNotEqual(stopped.status, 0, stopped.output)
        XCTAssertNil(try? project.lock().stages["long"], "a stopped run records nothing")

        let continued = try project.run(["stage", "long", "--ranks", "2"])
        XCTAssertEqual(continued.status, 0, continued.output)
        let log = try String(
            contentsOf: project.root.appendingPathComponent("artifacts/logs/long.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("resuming long from epoch"), log)
        XCTAssertEqual(try outputs(project), expected, "stopped on 3 ranks, continued on 2")
    }

    func testAKilledRankFailsTheLaunchAndTheRetryCompletes() throws {
        let expected = try reference()
        let project = try PaperProject.create(at: directory.appendingPathComponent("killed"), extra: Self.stage)
        let run = try start(project, ["--ranks", "2", "--retries", "1"])
        let follower = try XCTUnwrap(Self.rankProcess(1), "rank 1 of the launch")
        kill(follower, SIGKILL)
        let result = run.finish()
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("treated as a node failure; retrying"), result.output)
        XCTAssertEqual(try outputs(project), expected, "a rank killed, the launch retried")
    }

    func testAHungRankEndsTheLaunchAtTheCollectiveTimeout() throws {
        let expected = try reference()
        let project = try PaperProject.create(at: directory.appendingPathComponent("hung"), extra: Self.stage)
        let run = try start(
            project, ["--ranks", "2", "--retries", "1"], environment: ["REPRO_COLLECTIVE_TIMEOUT": "3"])
        let follower = try XCTUnwrap(Self.rankProcess(1), "rank 1 of the launch")
        kill(follower, SIGSTOP)  // alive but silent: rank 0 waits for it in vain
        let result = run.finish()
        XCTAssertEqual(result.status, 0, result.output)
        let log = try String(
            contentsOf: project.root.appendingPathComponent("artifacts/logs/long.ranks.log"), encoding: .utf8)
        XCTAssertTrue(log.contains("no answer from another rank within 3 s"), log)
        XCTAssertEqual(try outputs(project), expected, "a rank hung, the launch timed out and was retried")
    }

    /// The process of rank `rank` of the running launch (mpirun's children say it in their environment).
    static func rankProcess(_ rank: Int) -> pid_t? {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int32.init) ?? []
        return pids.first { pid in
            guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
                let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
            else { return false }
            let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return String(decoding: command, as: UTF8.self).contains("run-key")
                && variables.contains("OMPI_COMM_WORLD_RANK=\(rank)")
        }
    }
}

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

    func testResNeXtOnSixDevicesGivesTheSameBytesOnUnevenBlocks() throws {
        try check("dp6", ranks: [4, 5])
    }

    func testDistillationSplitsTheTeachersForwardToo() throws {
        try check("dp4_kd", ranks: [3])
    }
}

import Foundation
import NN
import Tensor
import TestSupport
import XCTest

/// Tensor and NN compile with -Ounchecked, also for the tests, which removes `precondition`:
/// the public boundary checks use `check`, which must still stop the process, with the
/// tensor and both sizes. A failed check ends the process, so each one runs in a child:
/// this test binary again, running only `testTrapHelper` with the case to trigger.
final class CheckTests: XCTestCase {
    private static let caseVariable = "REPRO_CHECK_CASE"

    /// Runs `testTrapHelper` in a child process with `name`; returns how it ended and its stderr.
    private func child(_ name: String) throws -> (signalled: Bool, stderr: String) {
        let run = try TestProcess.run(
            URL(fileURLWithPath: CommandLine.arguments[0]), ["NNTests.CheckTests/testTrapHelper"],
            environment: [Self.caseVariable: name], separateErrors: true)
        return (!run.exited, run.errors)
    }

    func testOneHotRefusesALabelOutsideTheClasses() throws {
        let (signalled, stderr) = try child("label")
        XCTAssertTrue(signalled, "the check stopped the process: \(stderr)")
        XCTAssertTrue(stderr.contains("Targets.oneHot: label 5 of sample 1 outside 0..<3"), stderr)
    }

    func testOptimizerRefusesGradientsOfAnotherShape() throws {
        let (signalled, stderr) = try child("optimizer")
        XCTAssertTrue(signalled, "the check stopped the process: \(stderr)")
        XCTAssertTrue(
            stderr.contains("optimizer: tensor fc.weight [10, 4] at offset 0 against fc.weight [10, 5] at offset 0"),
            stderr)
    }

    /// What the child runs: one failed check (never returns when the case is known).
    func testTrapHelper() throws {
        switch ProcessInfo.processInfo.environment[Self.caseVariable] {
        case "label":
            _ = Targets.oneHot([0, 5], classes: 3)
        case "optimizer":
            var weights = Arena.Layout(), gradients = Arena.Layout()
            weights.add("fc.weight", [10, 4])
            gradients.add("fc.weight", [10, 5])
            let parameters = Arena(views: weights.views)
            let optimizer = SGD(parameters: parameters, weightDecay: WeightDecay(rate: 0, kinds: [.denseWeight]))
            optimizer.step(parameters: parameters, gradients: Arena(views: gradients.views), learningRate: 0.1)
        default:
            throw XCTSkip("runs only as the child of the other CheckTests")
        }
        XCTFail("the check did not stop the process")
    }
}

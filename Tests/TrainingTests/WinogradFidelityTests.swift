import Dataset
import Foundation
import Report
import TestSupport
import XCTest

@testable import NN
@testable import Training

/// Winograd's F(2x2, 3x3) rounds otherwise than the direct conv; what matters is that
/// training does not notice. A ResNet20 at width 0.5 (its 16- and 32-channel stages take
/// Winograd, the 8-channel one stays direct) trained on the embedded digits for 4 epochs, as the
/// smoke profile's students, 3 seeds with each path: the mean top-1 must agree within the
/// seeds' noise (twice the standard error of the difference, at least one point), and every
/// run must reach 90 %.
final class WinogradFidelityTests: ScratchTestCase {
    func testTrainingEndsWithinSeedNoiseOfTheDirectPath() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let converted = directory.appendingPathComponent("digits.h5")
        _ = try CIFARConverter.convert(
            archive: root.appendingPathComponent("artifacts/data/digits32-binary.tar.gz"), output: converted)
        let digits = try CIFARConverter.load(converted)
        func train(seed: UInt64, winograd: Bool) throws -> Double {
            Winograd3x3.enabled = winograd
            defer { Winograd3x3.enabled = Winograd3x3.byDefault }
            var c = TrainingConfig()
            c.model = "cifar_resnet20_v1"
            c.widthMultiplier = 0.5
            c.epochs = 4
            c.batchSize = 32
            c.evalBatchSize = 297
            c.schedule = .cosine
            c.augment = false
            c.seed = seed
            let trainer = try Trainer(
                config: c, dataset: digits, teacher: nil,
                workDirectory: directory.appendingPathComponent("\(winograd ? "winograd" : "direct")-\(seed)"),
                environment: "test", threads: 2, report: { _ in })
            return try trainer.run(stageName: "student").history.last!.testTop1
        }
        let seeds: [UInt64] = [0, 1, 2]
        let winograd = try seeds.map { try train(seed: $0, winograd: true) }
        let direct = try seeds.map { try train(seed: $0, winograd: false) }
        // mean and sample std over the seeds, as the tables' cells (Report's Estimate)
        let (w, d) = (Estimate(values: winograd), Estimate(values: direct))
        let noise = max(1.0, 2 * ((w.std! * w.std! + d.std! * d.std!) / Double(seeds.count)).squareRoot())
        print(
            "Winograd top-1 \(winograd), direct \(direct): means \(w.mean) and \(d.mean), allowed difference \(noise)")
        XCTAssertLessThanOrEqual(abs(w.mean - d.mean), noise, "Winograd \(winograd), direct \(direct)")
        for top1 in winograd + direct { XCTAssertGreaterThanOrEqual(top1, 90) }
    }
}

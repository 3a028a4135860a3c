import XCTest

@testable import NN

/// `ModelCost` reads a model's geometry without allocating it: the same parameter count
/// and multiply-adds as the built model, and a training memory estimate that covers what
/// `repro bench` measured (peak RSS) without asking for more than twice as much.
final class ModelCostTests: XCTestCase {
    func testCostMatchesTheBuiltModel() throws {
        for (name, width) in [("cifar_resnet20_v1", 0.25), ("cifar_resnet56_v1", 1.0), ("cifar_resnext29_2x4d", 0.5)] {
            let cost = try ModelCost(model: name, classes: 10, widthMultiplier: width)
            let model = try Model(name: name, classes: 10, widthMultiplier: width)
            XCTAssertEqual(cost.parameters, model.parameterCount, name)
            XCTAssertEqual(cost.forwardMACs, model.forwardMACs(), name)
        }
        // RECIPE.md §3, and no 270 MB arena allocated to say so
        XCTAssertEqual(try ModelCost(model: "cifar_resnext29_16x64d", classes: 100).parameters, 68_247_460)
        XCTAssertThrowsError(try ModelCost(model: "cifar_resnet57_v1", classes: 100))
    }

    func testTrainingMemoryCoversTheMeasuredPeak() throws {
        let mebibyte = 1_048_576.0
        // `repro bench --model M --batch B [--devices D] --threads 2`: peak RSS
        let measured: [(model: String, pass: Int, peakMiB: Double)] = [
            ("cifar_resnet56_v1", 128, 489),
            ("cifar_resnext29_16x64d", 32, 4865),  // batch 32, as a part of batch 256 on 8 devices
        ]
        for row in measured {
            let estimate =
                try ModelCost(model: row.model, classes: 100).trainingBytes(imagesPerPass: row.pass) / mebibyte
            XCTAssertGreaterThanOrEqual(estimate, row.peakMiB, row.model)
            XCTAssertLessThanOrEqual(estimate, 2 * row.peakMiB, row.model)
        }
    }
}

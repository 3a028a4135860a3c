import Foundation
import Parity
import XCTest

/// Every golden file of ../shared/golden (copied into Fixtures) passes `repro parity`'s check.
final class GoldenTests: XCTestCase {
    func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "h5", subdirectory: "Fixtures"))
    }

    func check(_ name: String, kind: String, minimumLines: Int) throws {
        let report = try Parity.check(try fixture(name))
        XCTAssertTrue(report.kind.contains(kind), report.kind)
        XCTAssertGreaterThanOrEqual(report.lines.count, minimumLines)
        XCTAssertTrue(report.passed, report.text)
    }

    func testConv() throws { try check("conv2d", kind: "conv2d", minimumLines: 18) }
    func testBatchNorm() throws { try check("batchnorm", kind: "batch norm", minimumLines: 13) }
    func testLosses() throws { try check("losses", kind: "losses", minimumLines: 24) }
    func testResNet20Step() throws { try check("resnet20_c100", kind: "cifar_resnet20_v1", minimumLines: 70) }

    /// The same step on 4 devices: each quarter of the batch with its own batch statistics,
    /// the gradients added, the running statistics averaged (Golden/make_resnet20_devices4.py).
    func testResNet20StepOnFourDevices() throws {
        try check("resnet20_c100_devices4", kind: "batch 8 on 4 devices", minimumLines: 70)
    }
    func testResNet20SGDStep() throws { try check("resnet20_c100_sgd", kind: "SGD step", minimumLines: 65) }
    func testResNeXt29Step() throws { try check("resnext29_2x4d_c10", kind: "cifar_resnext29_2x4d", minimumLines: 96) }

    func testCompanionAloneIsRejected() throws {
        XCTAssertThrowsError(try Parity.check(try fixture("resnext29_2x4d_c10_grads32"))) { error in
            XCTAssertTrue("\(error)".contains("companion"), "\(error)")
        }
    }
}

import Foundation
import XCTest

@testable import Dataset

final class MixingTests: XCTestCase {
    let imageFloats = 3072

    /// A batch of `count` images, image k filled with the value k.
    func constantBatch(_ count: Int) -> [Float] {
        (0..<count).flatMap { [Float](repeating: Float($0), count: imageFloats) }
    }

    /// A batch index whose λ is well inside (0, 1), so both images show.
    func interestingBatch(_ mixer: BatchMixer) -> Int {
        (0..<1000).first { (0.2...0.8).contains(mixer.lambda(epoch: 0, batchIndex: $0)) }!
    }

    func testStitchLabelWeightsMatchThePixelFractions() {
        for kind in [MixingConfig.Kind.stitchHorizontal, .stitchVertical] {
            for exact in [false, true] {
                let mixer = BatchMixer(config: MixingConfig(kind: kind, exactFraction: exact), seed: 1)
                let index = interestingBatch(mixer)
                let lambda = mixer.lambda(epoch: 0, batchIndex: index)
                let p = Int(lambda * 32)
                var batch = constantBatch(5)
                let weight = mixer.mix(&batch, count: 5, epoch: 0, batchIndex: index)
                for i in 0..<5 {
                    let image = batch[i * imageFloats..<(i + 1) * imageFloats]
                    let own = Float(image.filter { $0 == Float(i) }.count) / Float(imageFloats)
                    let partner = 4 - i
                    XCTAssertEqual(own, i == partner ? 1 : Float(p) / 32, "\(kind) image \(i)")
                    // Where the pixels come from: columns (horizontal) or rows (vertical) below P are own.
                    let inside =
                        kind == .stitchHorizontal ? image[image.startIndex + 31] : image[image.startIndex + 31 * 32]
                    XCTAssertEqual(inside, Float(p > 31 ? i : partner))
                    XCTAssertEqual(image[image.startIndex], Float(p > 0 ? i : partner))
                }
                XCTAssertEqual(weight, exact ? Float(p) / 32 : Float(lambda))
                XCTAssertLessThan(abs(Double(weight) - Double(p) / 32), 1.0 / 32)
            }
        }
    }

    func testInterpolationMixesPixelsWithTheLabelWeight() {
        let mixer = BatchMixer(config: MixingConfig(kind: .interpolation), seed: 1)
        let index = interestingBatch(mixer)
        var batch = constantBatch(4)
        let weight = mixer.mix(&batch, count: 4, epoch: 0, batchIndex: index)
        XCTAssertEqual(Double(weight), mixer.lambda(epoch: 0, batchIndex: index), accuracy: 1e-7)
        for i in 0..<4 {
            XCTAssertEqual(
                batch[i * imageFloats + 100], weight * Float(i) + (1 - weight) * Float(3 - i), accuracy: 1e-5)
        }
    }

    func testSoftTargetsAreSmoothedThenMixed() {
        var targets = [Float](repeating: -1, count: 3 * 10)
        let labels: [Int32] = [2, 5, 7]
        SoftTargets.fill(&targets, labels: labels, count: 3, classes: 10, smoothing: 0.1, weight: 0.75)
        // Row 0 pairs with row 2: 0.75·q(2) + 0.25·q(7); q = 0.91 on the class, 0.01 elsewhere.
        XCTAssertEqual(targets[2], 0.75 * 0.91 + 0.25 * 0.01, accuracy: 1e-6)
        XCTAssertEqual(targets[7], 0.75 * 0.01 + 0.25 * 0.91, accuracy: 1e-6)
        XCTAssertEqual(targets[0], 0.01, accuracy: 1e-7)
        XCTAssertEqual(targets[10 + 5], 0.91, accuracy: 1e-6)  // the middle row pairs with itself
        for row in 0..<3 { XCTAssertEqual(targets[row * 10..<(row + 1) * 10].reduce(0, +), 1, accuracy: 1e-5) }
        SoftTargets.fill(&targets, labels: labels, count: 3, classes: 10, smoothing: 0, weight: 1)
        XCTAssertEqual(Array(targets[0..<10]), [0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    }

    func testMixingSwitchesOffForTheFirstAndLastEpochs() {
        let config = MixingConfig(kind: .interpolation, offFirstEpochs: 2, offLastEpochs: 3, totalEpochs: 10)
        XCTAssertEqual((0..<10).map(config.mixes), [false, false, true, true, true, true, true, false, false, false])
        let mixer = BatchMixer(config: config, seed: 1)
        var batch = constantBatch(4)
        XCTAssertEqual(mixer.mix(&batch, count: 4, epoch: 1, batchIndex: 0), 1)
        XCTAssertEqual(batch, constantBatch(4))
        XCTAssertEqual(mixer.lambda(epoch: 8, batchIndex: 3), 1)
        XCTAssertNotEqual(mixer.lambda(epoch: 5, batchIndex: 3), 1)
    }

    func testLambdaFollowsBetaOfAlpha() {
        let mixer = BatchMixer(config: MixingConfig(kind: .interpolation, alpha: 0.2), seed: 9)
        let lambdas = (0..<2000).map { mixer.lambda(epoch: 0, batchIndex: $0) }
        XCTAssertEqual(lambdas.reduce(0, +) / 2000, 0.5, accuracy: 0.03)  // Beta(α, α) is symmetric
        // Beta(0.2, 0.2) puts most of its mass near 0 and 1: P(λ < 0.1 or λ > 0.9) = 0.673
        // (numerical integration); the binomial standard error at n = 2000 is 0.0105.
        XCTAssertEqual(Double(lambdas.filter { $0 < 0.1 || $0 > 0.9 }.count) / 2000, 0.673, accuracy: 0.04)
    }
}

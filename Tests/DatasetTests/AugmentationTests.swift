import Foundation
import Tensor
import XCTest

@testable import Dataset

final class AugmentationTests: XCTestCase {
    /// Image with R = column, G = row, B = 7 everywhere.
    let gradient: [UInt8] = (0..<3).flatMap { c in
        (0..<32).flatMap { row in (0..<32).map { column in UInt8(c == 0 ? column : c == 1 ? row : 7) } }
    }

    /// Every pixel (r, g, b), as planar floats.
    func uniform(_ r: Float, _ g: Float, _ b: Float, pixels: Int = 4) -> [Float] {
        [Float](repeating: r, count: pixels) + [Float](repeating: g, count: pixels)
            + [Float](repeating: b, count: pixels)
    }

    func apply(_ draws: AugmentationDraws, _ config: AugmentationConfig, to image: [UInt8]) -> [Float] {
        var output = [Float](repeating: .nan, count: 3072), scratch = [Float](repeating: 0, count: 3072)
        Augmenter(config: config, seed: 0).apply(draws, to: image, into: &output, scratch: &scratch)
        return output
    }

    /// No jitter, no lighting, no padding; mean 0 and std 1, so the output is pixel / 255.
    let plain = AugmentationConfig(
        flip: true, brightness: 0, contrast: 0, saturation: 0, lightingStd: 0, pad: 0,
        mean: [0, 0, 0], std: [1, 1, 1])

    func value(_ image: [Float], _ c: Int, _ row: Int, _ column: Int) -> Float {
        image[(c * 32 + row) * 32 + column]
    }

    func testFlipMirrorsColumns() {
        var draws = AugmentationDraws()
        draws.flip = true
        let flipped = apply(draws, plain, to: gradient)
        for row in [0, 13, 31] {
            for column in [0, 5, 31] {
                XCTAssertEqual(value(flipped, 0, row, column), Float(31 - column) / 255)
                XCTAssertEqual(value(flipped, 1, row, column), Float(row) / 255)
            }
        }
        XCTAssertEqual(apply(AugmentationDraws(), plain, to: gradient)[5], 5 / 255)  // no flip: unchanged
    }

    func testCropTakesTheWindowAtItsOffsetsInThePaddedImage() {
        var config = plain
        config.pad = 4
        var draws = AugmentationDraws()
        draws.cropColumn = 1  // output (r, c) = source (r + 7 − 4, c + 1 − 4)
        draws.cropRow = 7
        let cropped = apply(draws, config, to: gradient)
        XCTAssertEqual(value(cropped, 0, 0, 0), 0)  // column −3: padding
        XCTAssertEqual(value(cropped, 2, 0, 2), 0)  // column −1: padding
        XCTAssertEqual(value(cropped, 0, 0, 3), 0 / 255)  // source column 0
        XCTAssertEqual(value(cropped, 1, 0, 3), 3 / 255)  // source row 3
        XCTAssertEqual(value(cropped, 0, 28, 31), 28 / 255)  // source (31, 28)
        XCTAssertEqual(value(cropped, 1, 28, 31), 31 / 255)
        XCTAssertEqual(value(cropped, 2, 29, 10), 0)  // source row 32: padding
        XCTAssertEqual(value(cropped, 2, 28, 10), 7 / 255)

        // Drawn offsets cover 0 … 2·pad, and nothing else.
        let augmenter = Augmenter(config: .training, seed: 3)
        let offsets = Set((0..<400).map { augmenter.draws(epoch: 0, index: $0).cropColumn })
        XCTAssertEqual(offsets, Set(0...8))
    }

    func testNormalizationUsesThePaperMeanAndStd() {
        var image = [UInt8](repeating: 0, count: 3072)
        for p in 0..<1024 { image[p] = 255 }  // R = 255, G = B = 0
        let output = apply(AugmentationDraws(), .evaluation, to: image)
        XCTAssertEqual(output[0], (1 - 0.485) / 0.229, accuracy: 1e-6)
        XCTAssertEqual(output[1024], -0.456 / 0.224, accuracy: 1e-6)
        XCTAssertEqual(output[2048], -0.406 / 0.225, accuracy: 1e-6)
        // Padding is 0 before normalizing.
        var config = AugmentationConfig.evaluation
        config.pad = 4
        let padded = apply(AugmentationDraws(), config, to: image)  // offsets (0, 0): row 0 is padding
        XCTAssertEqual(padded[0], -0.485 / 0.229, accuracy: 1e-6)
    }

    func testJitterOperationsOnAKnownPixel() {
        func run(_ values: [Float], _ op: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
            var image = values
            image.withUnsafeMutableBufferPointer { op($0) }
            return [image[0], image[4], image[8]]
        }
        let pixel = uniform(100, 150, 200)
        XCTAssertEqual(run(pixel) { ColorJitter.brightness($0, factor: 1.5) }, [150, 225, 255])  // 300 clamps
        // Grey mean 0.299·100 + 0.587·150 + 0.114·200 = 140.75; a = 0.5.
        let contrast = run(pixel) { ColorJitter.contrast($0, factor: 0.5) }
        for (actual, expected) in zip(contrast, [120.375, 145.375, 170.375] as [Float]) {
            XCTAssertEqual(actual, expected, accuracy: 1e-4)
        }
        let grey = run(pixel) { ColorJitter.saturation($0, factor: 0) }
        for actual in grey { XCTAssertEqual(actual, 140.75, accuracy: 1e-4) }
        // MXNet's bug: grey = 0.114·B = 22.8, truncated to 22 (verified on MXNet 1.9.1, RECIPE.md §2.2).
        XCTAssertEqual(
            run(pixel) { ColorJitter.saturation($0, factor: 0, mxnetBug: true, truncate: true) }, [22, 22, 22])
        let red = uniform(255, 0, 0)
        for (actual, expected) in zip(run(red) { ColorJitter.hue($0, shift: 0.5) }, [0, 255, 255] as [Float]) {
            XCTAssertEqual(actual, expected, accuracy: 1e-3)
        }
        for (actual, expected) in zip(run(red) { ColorJitter.hue($0, shift: 1.0 / 3) }, [0, 255, 0] as [Float]) {
            XCTAssertEqual(actual, expected, accuracy: 1e-3)
        }
    }

    func testLightingOnAKnownPixel() {
        // α = (1, 0, 0): offsets = first eigenvector · 55.46.
        // 8 pixels: 4 of (100, 150, 200), then 4 of (10, 10, 10).
        var image: [Float] = [
            100, 100, 100, 100, 10, 10, 10, 10, 150, 150, 150, 150, 10, 10, 10, 10,
            200, 200, 200, 200, 10, 10, 10, 10,
        ]
        image.withUnsafeMutableBufferPointer { PCALighting.apply($0, alpha: [1, 0, 0]) }
        XCTAssertEqual(image[0], 100 - 0.5675 * 55.46, accuracy: 1e-3)
        XCTAssertEqual(image[8], 150 - 0.5808 * 55.46, accuracy: 1e-3)
        XCTAssertEqual(image[16], 200 - 0.5836 * 55.46, accuracy: 1e-3)
        XCTAssertEqual(image[4], 0)  // 10 − 31.47 clamps to 0
        XCTAssertEqual(PCALighting.offsets(alpha: [0, 0, 2])[1], -0.8140 * 1.148 * 2, accuracy: 1e-5)
    }

    func testDrawsDependOnlyOnSeedEpochAndIndex() {
        let augmenter = Augmenter(config: AugmentationConfig(hue: 0.1), seed: 11)
        XCTAssertEqual(augmenter.draws(epoch: 2, index: 17), augmenter.draws(epoch: 2, index: 17))
        XCTAssertNotEqual(augmenter.draws(epoch: 2, index: 17), augmenter.draws(epoch: 3, index: 17))
        XCTAssertNotEqual(augmenter.draws(epoch: 2, index: 17), augmenter.draws(epoch: 2, index: 18))
        let draws = (0..<200).map { augmenter.draws(epoch: 0, index: $0) }
        XCTAssertEqual(Set(draws.map(\.flip)), [false, true])
        XCTAssertGreaterThan(Set(draws.map { $0.jitter.map(\.operation.rawValue) }).count, 12)  // random orders
        for draw in draws {
            XCTAssertEqual(Set(draw.jitter.map(\.operation)), Set(ColorJitter.Operation.allCases))
            for (operation, factor) in draw.jitter {
                let range: ClosedRange<Float> = operation == .hue ? -0.1...0.1 : 0.6...1.4
                XCTAssertTrue(range.contains(factor), "\(operation) \(factor)")
            }
        }
        // The order is MXNet's: a uniform permutation of the four operations, drawn right after the flip.
        for index in 0..<20 {
            var random = RandomStream(seed: 11, purpose: "augment", epoch: 0, index: index)
            _ = random.uniform()
            XCTAssertEqual(draws[index].jitter.map(\.operation.rawValue), random.permutation(4))
        }
        // Disabled operations are neither drawn nor applied.
        XCTAssertTrue(
            Augmenter(config: .training, seed: 11).draws(epoch: 0, index: 0).jitter.allSatisfy { $0.operation != .hue })
    }

    func testTheFullPipelineComposesTheOperationsInOrder() {
        let config = AugmentationConfig.training
        let augmenter = Augmenter(config: config, seed: 5)
        let draws = augmenter.draws(epoch: 1, index: 2)
        // By hand: flip, jitter in the drawn order, lighting, crop, normalize.
        var image = (0..<3072).map { i -> Float in
            let c = i / 1024, row = i / 32 % 32, column = i % 32
            return Float(gradient[(c * 32 + row) * 32 + (draws.flip ? 31 - column : column)])
        }
        image.withUnsafeMutableBufferPointer { buffer in
            for (operation, factor) in draws.jitter {
                switch operation {
                case .brightness: ColorJitter.brightness(buffer, factor: factor)
                case .contrast: ColorJitter.contrast(buffer, factor: factor)
                case .saturation: ColorJitter.saturation(buffer, factor: factor)
                case .hue: ColorJitter.hue(buffer, shift: factor)
                }
            }
            PCALighting.apply(buffer, alpha: draws.lightingAlpha!)
        }
        var expected = [Float](repeating: 0, count: 3072)
        for c in 0..<3 {
            for row in 0..<32 {
                for column in 0..<32 {
                    let r = row + draws.cropRow - 4, k = column + draws.cropColumn - 4
                    let v: Float = (0..<32).contains(r) && (0..<32).contains(k) ? image[(c * 32 + r) * 32 + k] : 0
                    expected[(c * 32 + row) * 32 + column] = (v / 255 - config.mean[c]) / config.std[c]
                }
            }
        }
        XCTAssertEqual(apply(draws, config, to: gradient), expected)
    }
}

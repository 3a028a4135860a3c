import TestSupport
import XCTest

@testable import NN

/// Both convolution paths (im2col + `PanelProduct`, direct 3x3) against the seven-loop reference
/// on awkward shapes.
final class ConvTests: XCTestCase {
    let shapes = [
        ConvShape(batch: 3, inChannels: 5, height: 7, width: 9, outChannels: 6, kernel: 3, stride: 1, pad: 1),
        ConvShape(batch: 2, inChannels: 4, height: 11, width: 11, outChannels: 8, kernel: 3, stride: 2, pad: 1),
        ConvShape(
            batch: 2, inChannels: 6, height: 9, width: 8, outChannels: 9, kernel: 3, stride: 2, pad: 1, groups: 3),
        ConvShape(
            batch: 3, inChannels: 8, height: 5, width: 5, outChannels: 8, kernel: 3, stride: 1, pad: 1, groups: 8),
        ConvShape(
            batch: 2, inChannels: 6, height: 7, width: 7, outChannels: 10, kernel: 1, stride: 1, pad: 0, groups: 2),
        ConvShape(batch: 2, inChannels: 6, height: 9, width: 7, outChannels: 4, kernel: 1, stride: 2, pad: 0),
        ConvShape(batch: 1, inChannels: 3, height: 6, width: 10, outChannels: 5, kernel: 5, stride: 1, pad: 2),
        ConvShape(batch: 9, inChannels: 2, height: 3, width: 3, outChannels: 3, kernel: 3, stride: 3, pad: 0),
        // planes of more than 2048 pixels: many panels per image
        ConvShape(batch: 3, inChannels: 3, height: 47, width: 45, outChannels: 4, kernel: 3, stride: 1, pad: 1),
        ConvShape(
            batch: 2, inChannels: 4, height: 49, width: 43, outChannels: 6, kernel: 1, stride: 1, pad: 0, groups: 2),
        // stride 1 with less padding than K/2: the transposed conv pads by K − 1 − pad
        ConvShape(
            batch: 2, inChannels: 4, height: 8, width: 7, outChannels: 6, kernel: 3, stride: 1, pad: 0, groups: 2),
        ConvShape(batch: 3, inChannels: 2, height: 9, width: 6, outChannels: 3, kernel: 5, stride: 1, pad: 1),
        // "same" padding on an image smaller than the kernel: rows shifted past both edges
        ConvShape(batch: 2, inChannels: 3, height: 2, width: 3, outChannels: 2, kernel: 5, stride: 1, pad: 2),
        ConvShape(batch: 2, inChannels: 2, height: 1, width: 8, outChannels: 3, kernel: 3, stride: 1, pad: 1),
    ]

    func testForwardAndBackwardMatchReference() {
        for (index, s) in shapes.enumerated() {
            Self.check(s, seed: UInt64(index), inputGradient: true)
        }
    }

    /// Shapes that take the direct 3x3 path (stride 1, pad 1, channels of a group in fours):
    /// planes that are no whole number of vectors or tiles, one row, an image narrower than a
    /// vector, planes of one, two and three vectors a row, weight-gradient image groups
    /// smaller than a reduction range, conv groups, and the stem (3 input channels: direct
    /// forward and weight gradient, no input gradient). Winograd off: the shapes of 16
    /// channels or more would take it (WinogradTests checks it).
    func testDirect3x3MatchesReference() {
        Winograd3x3.enabled = false
        defer { Winograd3x3.enabled = Winograd3x3.byDefault }
        let direct = [
            ConvShape(batch: 5, inChannels: 4, height: 7, width: 9, outChannels: 8, kernel: 3, stride: 1, pad: 1),
            ConvShape(batch: 3, inChannels: 8, height: 16, width: 16, outChannels: 12, kernel: 3, stride: 1, pad: 1),
            ConvShape(batch: 2, inChannels: 4, height: 1, width: 3, outChannels: 4, kernel: 3, stride: 1, pad: 1),
            ConvShape(batch: 20, inChannels: 16, height: 8, width: 8, outChannels: 16, kernel: 3, stride: 1, pad: 1),
            ConvShape(batch: 48, inChannels: 32, height: 24, width: 24, outChannels: 32, kernel: 3, stride: 1, pad: 1),
            ConvShape(batch: 20, inChannels: 4, height: 5, width: 48, outChannels: 8, kernel: 3, stride: 1, pad: 1),
            ConvShape(batch: 32, inChannels: 32, height: 32, width: 32, outChannels: 32, kernel: 3, stride: 1, pad: 1),
            // groups of 4 and 8 channels (ResNeXt's grouped 3x3)
            ConvShape(
                batch: 3, inChannels: 16, height: 8, width: 8, outChannels: 16, kernel: 3, stride: 1, pad: 1,
                groups: 4),
            ConvShape(
                batch: 4, inChannels: 24, height: 6, width: 7, outChannels: 16, kernel: 3, stride: 1, pad: 1,
                groups: 2),
        ]
        for (index, s) in direct.enumerated() {
            Self.check(s, seed: UInt64(100 + index), inputGradient: true)
        }
        Self.check(
            ConvShape(batch: 3, inChannels: 3, height: 32, width: 32, outChannels: 16, kernel: 3, stride: 1, pad: 1),
            seed: 200, inputGradient: false)
    }

    static func check(_ s: ConvShape, seed: UInt64, inputGradient: Bool) {
        let x = randomFloats(s.inputCount, seed: seed, purpose: "x")
        let w = randomFloats(s.weightCount, seed: seed, purpose: "w")
        let g = randomFloats(s.outputCount, seed: seed, purpose: "g")
        var y = [Float](repeating: 0, count: s.outputCount), yRef = y
        Conv2D.forward(&y, x, w, s, context())
        ConvReference.forward(&yRef, x, w, s)
        XCTAssertLessThan(relmax(y, yRef), 1e-5, "forward \(s)")
        // backward accumulates: start from a nonzero gradient to check that
        let start = randomFloats(s.inputCount, seed: seed, purpose: "dx0")
        let startW = randomFloats(s.weightCount, seed: seed, purpose: "dw0")
        var dx = start, dw = startW, dxRef = start, dwRef = startW
        if inputGradient {
            Conv2D.backward(dx: &dx, dw: &dw, dOut: g, x, w, s, context())
        } else {
            Conv2D.backward(dx: nil, dw: &dw, dOut: g, x, w, s, context())
        }
        ConvReference.backward(dx: &dxRef, dw: &dwRef, dOut: g, x, w, s)
        if inputGradient { XCTAssertLessThan(relmax(dx, dxRef), 1e-5, "backward dx \(s)") }
        XCTAssertLessThan(relmax(dw, dwRef), 1e-5, "backward dw \(s)")
    }

    /// Both grids of the direct path (10x10 flat, 16x16 rows) and the im2col path.
    func testResultsDoNotDependOnThreads() {
        for (height, stride) in [(10, 1), (16, 1), (10, 2)] {
            let s = ConvShape(
                batch: 13, inChannels: 8, height: height, width: height, outChannels: 8, kernel: 3,
                stride: stride, pad: 1)
            let x = randomFloats(s.inputCount), w = randomFloats(s.weightCount, purpose: "w")
            let g = randomFloats(s.outputCount, purpose: "g")
            func run(_ threads: Int) -> [Float] {
                var y = [Float](repeating: 0, count: s.outputCount)
                var dx = [Float](repeating: 0, count: s.inputCount), dw = [Float](repeating: 0, count: s.weightCount)
                let context = context(threads: threads)
                Conv2D.forward(&y, x, w, s, context)
                Conv2D.backward(dx: &dx, dw: &dw, dOut: g, x, w, s, context)
                return y + dx + dw
            }
            let one = run(1)
            for threads in [2, 4, 7, 64] { XCTAssertEqual(one, run(threads), "\(s), \(threads) threads") }
        }
    }

    /// AVX-512 builds keep 16–18 vector sums in registers (4 × 4 tiles, the weight
    /// gradient's 18 tap sums in one loop), AVX2 builds fewer at a time; both must give the
    /// same bits, or the lock would depend on the build machine. Both run here, in one build,
    /// on the shapes of ResNet56, ResNeXt's grouped 3x3 and planes of awkward widths (the
    /// direct path: Winograd off; WinogradTests checks its own).
    func testWideAndNarrowRegisterTilesGiveTheSameBits() {
        Winograd3x3.enabled = false
        defer { Winograd3x3.enabled = Winograd3x3.byDefault }
        let shapes = [
            ConvShape(batch: 4, inChannels: 16, height: 32, width: 32, outChannels: 16, kernel: 3, pad: 1),
            ConvShape(batch: 5, inChannels: 64, height: 8, width: 8, outChannels: 64, kernel: 3, pad: 1),
            ConvShape(batch: 3, inChannels: 32, height: 16, width: 16, outChannels: 32, kernel: 3, pad: 1, groups: 4),
            ConvShape(batch: 6, inChannels: 8, height: 7, width: 9, outChannels: 12, kernel: 3, pad: 1),
            ConvShape(batch: 3, inChannels: 4, height: 5, width: 48, outChannels: 8, kernel: 3, pad: 1),
            ConvShape(batch: 2, inChannels: 3, height: 32, width: 32, outChannels: 16, kernel: 3, pad: 1),  // the stem
        ]
        let compiled = Conv3x3.wideRegisters
        defer { Conv3x3.wideRegisters = compiled }
        for (index, s) in shapes.enumerated() {
            XCTAssertTrue(Conv3x3.supports(s, inputGradient: false), "\(s)")
            let x = randomFloats(s.inputCount, seed: UInt64(index), purpose: "x")
            let w = randomFloats(s.weightCount, seed: UInt64(index), purpose: "w")
            let g = randomFloats(s.outputCount, seed: UInt64(index), purpose: "g")
            func run(wide: Bool) -> [Float] {
                Conv3x3.wideRegisters = wide
                var y = [Float](repeating: 0, count: s.outputCount)
                var dx = [Float](repeating: 0, count: s.inputCount), dw = [Float](repeating: 0, count: s.weightCount)
                Conv2D.forward(&y, x, w, s, context(threads: 2))
                if s.inChannels % 4 == 0 {
                    Conv2D.backward(dx: &dx, dw: &dw, dOut: g, x, w, s, context(threads: 2))
                } else {
                    Conv2D.backward(dx: nil, dw: &dw, dOut: g, x, w, s, context(threads: 2))
                }
                return y + dx + dw
            }
            XCTAssertEqual(run(wide: true).map(\.bitPattern), run(wide: false).map(\.bitPattern), "\(s)")
        }
    }
}

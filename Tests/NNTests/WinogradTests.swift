import Foundation
import TestSupport
import XCTest

@testable import NN

/// Winograd's F(2x2, 3x3) (`Winograd3x3`): forward and input gradient against the seven-loop
/// reference, the rule that picks it, the `finished` callback, and bits that depend on
/// neither the thread count nor the register tiles.
final class WinogradTests: XCTestCase {
    // Conv2D takes the path only where it is on (`Winograd3x3.byDefault`).
    override func setUp() { Winograd3x3.enabled = true }
    override func tearDown() { Winograd3x3.enabled = Winograd3x3.byDefault }

    /// Square and not, tile rows shorter than a run of 16 tiles, runs that cross a panel and
    /// a last run of one tile; 16 to 64 channels, more outputs than inputs and the reverse,
    /// two and four groups; batches of 1 and 3.
    let shapes = [
        ConvShape(batch: 1, inChannels: 16, height: 8, width: 8, outChannels: 16, kernel: 3, pad: 1),
        ConvShape(batch: 3, inChannels: 32, height: 16, width: 16, outChannels: 32, kernel: 3, pad: 1),
        ConvShape(batch: 3, inChannels: 64, height: 8, width: 8, outChannels: 64, kernel: 3, pad: 1),
        ConvShape(batch: 2, inChannels: 16, height: 32, width: 32, outChannels: 16, kernel: 3, pad: 1),
        ConvShape(batch: 2, inChannels: 16, height: 6, width: 10, outChannels: 32, kernel: 3, pad: 1),
        ConvShape(batch: 1, inChannels: 48, height: 4, width: 24, outChannels: 16, kernel: 3, pad: 1),
        ConvShape(batch: 3, inChannels: 16, height: 2, width: 34, outChannels: 20, kernel: 3, pad: 1),
        ConvShape(batch: 2, inChannels: 64, height: 8, width: 8, outChannels: 64, kernel: 3, pad: 1, groups: 4),
        ConvShape(batch: 3, inChannels: 32, height: 10, width: 12, outChannels: 48, kernel: 3, pad: 1, groups: 2),
    ]

    func testForwardAndInputGradientMatchReference() {
        for (index, s) in shapes.enumerated() {
            XCTAssertTrue(Winograd3x3.supports(s), "\(s)")
            let seed = UInt64(500 + index)
            let x = randomFloats(s.inputCount, seed: seed, purpose: "x")
            let w = randomFloats(s.weightCount, seed: seed, purpose: "w")
            let g = randomFloats(s.outputCount, seed: seed, purpose: "g")
            var y = [Float](repeating: 0, count: s.outputCount), yRef = y
            Conv2D.forward(&y, x, w, s, context(threads: 2))
            ConvReference.forward(&yRef, x, w, s)
            XCTAssertLessThan(relmax(y, yRef), 1e-4, "forward \(s)")

            var dxRef = [Float](repeating: 0, count: s.inputCount), dwRef = [Float](repeating: 0, count: s.weightCount)
            ConvReference.backward(dx: &dxRef, dw: &dwRef, dOut: g, x, w, s)
            var dx = randomFloats(s.inputCount, seed: seed, purpose: "stale"),
                dw = [Float](repeating: 0, count: s.weightCount)
            Conv2D.backward(dx: &dx, dw: &dw, dOut: g, x, w, s, context(threads: 2))
            XCTAssertLessThan(relmax(dx, dxRef), 1e-4, "dx \(s)")
            XCTAssertLessThan(relmax(dw, dwRef), 1e-5, "dw \(s)")

            // accumulate: dx += ∂/∂x, dw += ∂/∂w
            let dx0 = randomFloats(s.inputCount, seed: seed, purpose: "dx0")
            let dw0 = randomFloats(s.weightCount, seed: seed, purpose: "dw0")
            var sum = dx0, sumW = dw0
            Conv2D.backward(dx: &sum, dw: &sumW, dOut: g, x, w, s, context(threads: 2), accumulate: true)
            XCTAssertLessThan(relmax(sum, zip(dx0, dxRef).map(+)), 1e-4, "dx accumulated \(s)")
            XCTAssertLessThan(relmax(sumW, zip(dw0, dwRef).map(+)), 1e-5, "dw accumulated \(s)")
        }
    }

    /// The rule is the shape's alone: the stem, strided, odd, unpadded, 1x1 and thin shapes
    /// stay direct (or on the patch matrix); the counts follow the path.
    func testRule() {
        func shape(
            _ c: Int, _ h: Int, _ w: Int, _ o: Int, kernel: Int = 3, stride: Int = 1, pad: Int = 1, groups: Int = 1
        )
            -> ConvShape
        {
            ConvShape(
                batch: 2, inChannels: c, height: h, width: w, outChannels: o, kernel: kernel, stride: stride, pad: pad,
                groups: groups)
        }
        let taken = [shape(16, 32, 32, 16), shape(32, 16, 16, 32), shape(64, 8, 8, 64), shape(20, 6, 4, 16)]
        let direct = [
            shape(3, 32, 32, 16),  // the stem
            shape(16, 32, 32, 32, stride: 2),
            shape(16, 7, 7, 16), shape(16, 8, 7, 16), shape(16, 7, 8, 16),
            shape(16, 8, 8, 16, pad: 0), shape(16, 8, 8, 16, kernel: 1, pad: 0),
            shape(8, 8, 8, 16), shape(16, 8, 8, 12), shape(18, 8, 8, 16),
            shape(32, 8, 8, 32, groups: 4),  // groups of 8 channels
        ]
        for s in taken {
            XCTAssertTrue(Winograd3x3.supports(s), "\(s)")
            let counts = Conv2D.multiplyAdds(s)
            XCTAssertEqual(counts.forward * 9, s.macs * 4, "\(s)")
            XCTAssertEqual(counts.inputGradient, counts.forward, "\(s)")
            XCTAssertEqual(counts.weightGradient, s.macs, "\(s)")
        }
        for s in direct {
            XCTAssertFalse(Winograd3x3.supports(s), "\(s)")
            XCTAssertEqual(Conv2D.multiplyAdds(s).forward, s.macs, "\(s)")
        }
    }

    /// `finished(n, channels)` reports every output channel of every image once, after its
    /// planes are final.
    func testFinishedSeesFinalPlanes() {
        let s = ConvShape(batch: 2, inChannels: 32, height: 8, width: 8, outChannels: 48, kernel: 3, pad: 1)
        let x = randomFloats(s.inputCount), w = randomFloats(s.weightCount, purpose: "w")
        let plane = s.height * s.width
        for threads in [1, 16] {
            let out = UnsafeMutablePointer<Float>.allocate(capacity: s.outputCount)
            let seen = UnsafeMutablePointer<Float>.allocate(capacity: s.outputCount)
            let reports = UnsafeMutablePointer<Int>.allocate(capacity: s.batch * s.outChannels)
            defer { out.deallocate(); seen.deallocate(); reports.deallocate() }
            reports.initialize(repeating: 0, count: s.batch * s.outChannels)
            Conv2D.forward(out, x, w, s, context(threads: threads)) { n, channels in
                let first = (n * s.outChannels + channels.lowerBound) * plane
                (seen + first).update(from: out + first, count: channels.count * plane)
                for c in channels { reports[n * s.outChannels + c] += 1 }
            }
            let counts = Array(UnsafeBufferPointer(start: reports, count: s.batch * s.outChannels))
            XCTAssertEqual(counts, Array(repeating: 1, count: counts.count), "\(threads) threads")
            XCTAssertEqual(
                Array(UnsafeBufferPointer(start: seen, count: s.outputCount)).map(\.bitPattern),
                Array(UnsafeBufferPointer(start: out, count: s.outputCount)).map(\.bitPattern), "\(threads) threads")
        }
    }

    /// 1 to 64 threads (64 on one image: parts of its output channels) and AVX-512's and
    /// AVX2's panels and tiles give the same bits.
    func testBitsDoNotDependOnThreadsOrRegisters() {
        let compiled = Conv3x3.wideRegisters
        defer { Conv3x3.wideRegisters = compiled }
        for s in [shapes[0], shapes[1], shapes[4], shapes[6], shapes[7]] {
            let x = randomFloats(s.inputCount), w = randomFloats(s.weightCount, purpose: "w")
            let g = randomFloats(s.outputCount, purpose: "g"), dx0 = randomFloats(s.inputCount, purpose: "dx0")
            func run(_ threads: Int, wide: Bool) -> [UInt32] {
                Conv3x3.wideRegisters = wide
                var y = [Float](repeating: 0, count: s.outputCount)
                var dx = [Float](repeating: 0, count: s.inputCount), dw = [Float](repeating: 0, count: s.weightCount)
                var sum = dx0
                Conv2D.forward(&y, x, w, s, context(threads: threads))
                Conv2D.backward(dx: &dx, dw: &dw, dOut: g, x, w, s, context(threads: threads))
                Conv2D.backward(dx: &sum, dw: &dw, dOut: g, x, w, s, context(threads: threads), accumulate: true)
                return (y + dx + sum + dw).map(\.bitPattern)
            }
            let reference = run(1, wide: false)
            for (threads, wide) in [(1, true), (2, false), (4, true), (7, false), (64, false), (64, true)] {
                XCTAssertEqual(reference, run(threads, wide: wide), "\(s), \(threads) threads, wide \(wide)")
            }
        }
    }

    /// The filter transform alone: the centre tap alone gives U = 3 · G₁ G₁ᵀ (G's middle
    /// column), exactly: halvings do not round.
    func testTransformsOfSimpleTiles() {
        var g = SIMD16<Float>()
        g[4] = 3  // the centre tap
        let u = WinogradTransforms.filter(g)
        let column: [Float] = [0, 0.5, -0.5, 0]
        for i in 0..<4 {
            for k in 0..<4 { XCTAssertEqual(u[4 * i + k], 3 * column[i] * column[k], "U[\(i)][\(k)]") }
        }
    }
}

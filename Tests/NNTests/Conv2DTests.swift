import XCTest

@testable import NN

/// The convolutions on `PanelProduct` (1x1, strided, grouped, any kernel): 1x1 ones bit for
/// bit against the arithmetic promised (one FMA chain per element, the weight gradient's
/// chains image group after image group), all of them the same bits whatever the threads
/// or registers. (ConvTests checks their values against the seven-loop reference.)
final class Conv2DTests: XCTestCase {
    /// Planes smaller than a panel, of one panel and a bit, of many; channel counts that are
    /// no multiple of the tiles' 4 and 6 rows or of a panel's 64 columns; image groups that
    /// leave a shorter last group.
    let shapes = [
        ConvShape(batch: 3, inChannels: 5, height: 7, width: 7, outChannels: 13, kernel: 1, stride: 1, pad: 0),
        ConvShape(batch: 2, inChannels: 70, height: 9, width: 9, outChannels: 30, kernel: 1, stride: 1, pad: 0),
        ConvShape(batch: 37, inChannels: 16, height: 3, width: 3, outChannels: 6, kernel: 1, stride: 1, pad: 0),
        ConvShape(batch: 2, inChannels: 6, height: 49, width: 43, outChannels: 4, kernel: 1, stride: 1, pad: 0),
        ConvShape(batch: 19, inChannels: 128, height: 8, width: 8, outChannels: 64, kernel: 1, stride: 1, pad: 0),
        ConvShape(batch: 3, inChannels: 64, height: 32, width: 32, outChannels: 25, kernel: 1, stride: 1, pad: 0),
    ]

    /// Strided, grouped, padded and wide-kernel shapes that go through the patch matrix.
    let gathered = [
        ConvShape(batch: 3, inChannels: 16, height: 32, width: 32, outChannels: 32, kernel: 3, stride: 2, pad: 1),
        ConvShape(batch: 5, inChannels: 16, height: 32, width: 32, outChannels: 32, kernel: 1, stride: 2, pad: 0),
        ConvShape(
            batch: 4, inChannels: 64, height: 16, width: 16, outChannels: 64, kernel: 3, stride: 2, pad: 1,
            groups: 4),
        ConvShape(
            batch: 2, inChannels: 6, height: 9, width: 7, outChannels: 10, kernel: 5, stride: 1, pad: 2, groups: 2),
        ConvShape(
            batch: 3, inChannels: 6, height: 7, width: 7, outChannels: 10, kernel: 1, stride: 1, pad: 0, groups: 2),
    ]

    func testMatchesReference() {
        for (index, s) in (shapes + gathered).enumerated() {
            XCTAssertFalse(Conv3x3.supports(s, inputGradient: true), "\(s)")
            ConvTests.check(s, seed: UInt64(300 + index), inputGradient: true)
        }
    }

    /// Forward, input gradient and weight gradient bit for bit against scalar FMA chains:
    /// the products are the same floats whatever tile, chunk or ISA computes them.
    func testBitsAreTheChainsItPromises() {
        for (index, s) in shapes.enumerated() where s.inputCount < 200_000 {
            let x = randomFloats(s.inputCount, seed: UInt64(index), purpose: "x")
            let w = randomFloats(s.weightCount, seed: UInt64(index), purpose: "w")
            let g = randomFloats(s.outputCount, seed: UInt64(index), purpose: "g")
            let dw0 = randomFloats(s.weightCount, seed: UInt64(index), purpose: "dw0")
            var y = [Float](repeating: 0, count: s.outputCount), dx = [Float](repeating: 0, count: s.inputCount)
            var dw = dw0
            Conv2D.forward(&y, x, w, s, context(threads: 3))
            Conv2D.backward(dx: &dx, dw: &dw, dOut: g, x, w, s, context(threads: 3))
            let chains = Chains(s)
            XCTAssertEqual(y.map(\.bitPattern), chains.forward(x, w).map(\.bitPattern), "forward \(s)")
            XCTAssertEqual(dx.map(\.bitPattern), chains.inputGradient(g, w).map(\.bitPattern), "dx \(s)")
            XCTAssertEqual(dw.map(\.bitPattern), chains.weightGradient(dw0, g, x).map(\.bitPattern), "dw \(s)")
        }
    }

    /// 1 to 64 threads (the weight gradient's chunks follow them), AVX-512's and AVX2's tiles.
    func testBitsDoNotDependOnThreadsOrRegisters() {
        let compiled = Conv3x3.wideRegisters
        defer { Conv3x3.wideRegisters = compiled }
        for s in shapes + gathered {
            let x = randomFloats(s.inputCount), w = randomFloats(s.weightCount, purpose: "w")
            let g = randomFloats(s.outputCount, purpose: "g")
            func run(_ threads: Int, wide: Bool) -> [UInt32] {
                Conv3x3.wideRegisters = wide
                var y = [Float](repeating: 0, count: s.outputCount)
                var dx = [Float](repeating: 0, count: s.inputCount), dw = [Float](repeating: 0, count: s.weightCount)
                Conv2D.forward(&y, x, w, s, context(threads: threads))
                Conv2D.backward(dx: &dx, dw: &dw, dOut: g, x, w, s, context(threads: threads))
                return (y + dx + dw).map(\.bitPattern)
            }
            let reference = run(1, wide: true)
            for (threads, wide) in [(1, false), (2, true), (7, false), (64, true)] {
                XCTAssertEqual(reference, run(threads, wide: wide), "\(s), \(threads) threads, wide \(wide)")
            }
        }
    }
}

/// The arithmetic `Conv2D` promises for a 1x1 stride-1 convolution, one scalar FMA at a time.
struct Chains {
    let s: ConvShape
    var plane: Int { s.height * s.width }
    init(_ s: ConvShape) { self.s = s }

    /// out[n][o][p] = chain over c of w[o][c] · x[n][c][p].
    func forward(_ x: [Float], _ w: [Float]) -> [Float] {
        products(x, rows: s.outChannels, depth: s.inChannels) { o, c in w[o * s.inChannels + c] }
    }

    /// dx[n][c][p] = chain over o of w[o][c] · g[n][o][p].
    func inputGradient(_ g: [Float], _ w: [Float]) -> [Float] {
        products(g, rows: s.inChannels, depth: s.outChannels) { c, o in w[o * s.inChannels + c] }
    }

    /// c[n][i][p] = chain over l of a(i, l) · b[n][l][p], from zero.
    func products(_ b: [Float], rows: Int, depth: Int, _ a: (Int, Int) -> Float) -> [Float] {
        var c = [Float](repeating: 0, count: s.batch * rows * plane)
        for n in 0..<s.batch {
            for i in 0..<rows {
                for p in 0..<plane {
                    var sum: Float = 0
                    for l in 0..<depth { sum = sum.addingProduct(a(i, l), b[(n * depth + l) * plane + p]) }
                    c[(n * rows + i) * plane + p] = sum
                }
            }
        }
        return c
    }

    /// dw[o][c] += chain over the group's images and pixels of g[n][o][p] · x[n][c][p], group by group.
    func weightGradient(_ dw0: [Float], _ g: [Float], _ x: [Float]) -> [Float] {
        var dw = dw0
        let group = Conv2D.imagesPerChain(s)
        for o in 0..<s.outChannels {
            for c in 0..<s.inChannels {
                for first in stride(from: 0, to: s.batch, by: group) {
                    var sum: Float = 0
                    for n in first..<min(first + group, s.batch) {
                        for p in 0..<plane {
                            sum = sum.addingProduct(
                                g[(n * s.outChannels + o) * plane + p], x[(n * s.inChannels + c) * plane + p])
                        }
                    }
                    dw[o * s.inChannels + c] += sum
                }
            }
        }
        return dw
    }
}

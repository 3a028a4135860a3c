import Tensor
import XCTest

@testable import NN

/// The work splits that let a step use 64 threads: the 3x3 weight gradient's blocks of
/// output × input channels own disjoint slices of dW that cover it, and batch norm's
/// image × channel blocks; both give the same bits for any thread count.
final class ChunkTests: XCTestCase {
    func testWeightBlocksCoverEveryWeightOnce() {
        let shapes = [
            // ResNet56 stage 1
            ConvShape(batch: 128, inChannels: 16, height: 32, width: 32, outChannels: 16, kernel: 3, pad: 1),
            ConvShape(batch: 128, inChannels: 32, height: 16, width: 16, outChannels: 32, kernel: 3, pad: 1),
            ConvShape(batch: 128, inChannels: 64, height: 8, width: 8, outChannels: 64, kernel: 3, pad: 1),
            // the stem
            ConvShape(batch: 128, inChannels: 3, height: 32, width: 32, outChannels: 16, kernel: 3, pad: 1),
            // 16x64d
            ConvShape(
                batch: 32, inChannels: 1024, height: 32, width: 32, outChannels: 1024, kernel: 3, pad: 1, groups: 16),
            ConvShape(batch: 4, inChannels: 12, height: 8, width: 8, outChannels: 8, kernel: 3, pad: 1, groups: 2),
        ]
        for s in shapes {
            for target in [8, 64] {
                let blocks = Conv3x3.WeightBlocks(s, target: target)
                var seen = [Int](repeating: 0, count: s.outChannels * s.groupIn)
                for chunk in 0..<blocks.count {
                    let (outputs, inputs) = blocks.block(chunk)
                    XCTAssertEqual(
                        outputs.lowerBound / s.groupOut, (outputs.upperBound - 1) / s.groupOut,
                        "\(s): a block within one group")
                    XCTAssertTrue(inputs.lowerBound % 2 == 0, "\(s): blocks start on a pair")
                    for k in outputs { for c in inputs { seen[k * s.groupIn + c] += 1 } }
                }
                XCTAssertEqual(Set(seen), [1], "\(s)")
                if s.inChannels >= 16 { XCTAssertGreaterThanOrEqual(blocks.count, target, "\(s)") }
            }
        }
        XCTAssertEqual(PlaneSums.blocks(batch: 128, channels: 16).images, 64)
        XCTAssertEqual(PlaneSums.blocks(batch: 128, channels: 1024).channels, 1)
        XCTAssertTrue(PlaneSums.blocks(batch: 2, channels: 16) == (2, 16))
        XCTAssertTrue(PlaneSums.blocks(batch: 13, channels: 12) == (13, 5))
    }

    /// 3x3 weight and input gradients and batch norm's training forward and backward, on
    /// shapes where the blocks split channels and images unevenly: 1 thread against 2, 7, 64.
    func testBlockedKernelsDoNotDependOnThreads() {
        let s = ConvShape(batch: 13, inChannels: 10, height: 8, width: 8, outChannels: 12, kernel: 3, pad: 1)
        let x = randomFloats(s.inputCount), w = randomFloats(s.weightCount, purpose: "w"),
            g = randomFloats(s.outputCount, purpose: "g")
        let channels = 12, plane = 64
        let gamma = randomFloats(channels, purpose: "gamma"), beta = randomFloats(channels, purpose: "beta")
        func run(_ threads: Int) -> [Float] {
            let context = ComputeContext(threads: threads)
            var dx = [Float](repeating: 0, count: s.inputCount), dw = [Float](repeating: 0.5, count: s.weightCount)
            Conv2D.backward(dx: &dx, dw: &dw, dOut: g, x, w, s, context)
            var y = [Float](repeating: 0, count: s.outputCount), mean = [Float](repeating: 0, count: channels),
                rstd = mean
            var runningMean = mean, runningVar = [Float](repeating: 1, count: channels)
            BatchNorm.forwardTrain(
                &y, g, gamma: gamma, beta: beta, mean: &mean, rstd: &rstd, runningMean: &runningMean,
                runningVar: &runningVar, batch: s.batch, channels: channels, plane: plane, relu: true,
                config: .init(), context)
            var dy = g, dGamma = [Float](repeating: 0, count: channels), dBeta = dGamma
            BatchNorm.backwardTrain(
                dx: &dy, dy: g, g, reluOutput: y, gamma: gamma, mean: mean, rstd: rstd,
                dGamma: &dGamma, dBeta: &dBeta, batch: s.batch, channels: channels, plane: plane, context)
            return dx + dw + y + mean + rstd + runningMean + runningVar + dy + dGamma + dBeta
        }
        let one = run(1)
        for threads in [2, 7, 64] {
            XCTAssertEqual(one.map(\.bitPattern), run(threads).map(\.bitPattern), "\(threads) threads")
        }
    }
}

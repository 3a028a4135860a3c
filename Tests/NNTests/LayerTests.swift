import NN
import TestSupport
import XCTest

/// Batch norm, dense, pooling, ReLU and the residual join against direct formulas.
final class LayerTests: XCTestCase {
    func testBatchNormFusedReLUBackwardEqualsMaskedGradient() {
        let (batch, channels, plane) = (3, 5, 21)  // planes of two vectors of 8 and a scalar tail
        let x = randomFloats(batch * channels * plane), g = randomFloats(x.count, purpose: "g")
        let gamma = randomFloats(channels, purpose: "gamma"), beta = randomFloats(channels, purpose: "beta")
        var y = [Float](repeating: 0, count: x.count), mean = [Float](repeating: 0, count: channels), rstd = mean
        var runningMean = mean, runningVar = [Float](repeating: 1, count: channels)
        BatchNorm.forwardTrain(
            &y, x, gamma: gamma, beta: beta, mean: &mean, rstd: &rstd, runningMean: &runningMean,
            runningVar: &runningVar, batch: batch, channels: channels, plane: plane, relu: true,
            config: .init(), context())
        XCTAssertTrue(y.allSatisfy { $0 >= 0 })
        XCTAssertTrue(y.contains { $0 == 0 } && y.contains { $0 > 0 })
        var fused = [Float](repeating: 0, count: x.count), dGamma = [Float](repeating: 0, count: channels),
            dBeta = dGamma
        BatchNorm.backwardTrain(
            dx: &fused, dy: g, x, reluOutput: y, gamma: gamma, mean: mean, rstd: rstd,
            dGamma: &dGamma, dBeta: &dBeta, batch: batch, channels: channels, plane: plane, context())
        let masked = zip(g, y).map { $1 > 0 ? $0 : 0 }
        var plain = fused, dGamma2 = [Float](repeating: 0, count: channels), dBeta2 = dGamma2
        BatchNorm.backwardTrain(
            dx: &plain, dy: masked, x, reluOutput: nil, gamma: gamma, mean: mean, rstd: rstd,
            dGamma: &dGamma2, dBeta: &dBeta2, batch: batch, channels: channels, plane: plane, context())
        XCTAssertLessThan(relmax(fused, plain), 1e-6)
        XCTAssertLessThan(relmax(dGamma, dGamma2), 1e-6)
        XCTAssertLessThan(relmax(dBeta, dBeta2), 1e-6)
        // a residual join's backward: the masked gradient written out as the shortcut's while
        // the sums are taken, then read back, gives the bits of the fused mask
        var joined = [Float](repeating: 0, count: x.count), shortcut = [Float](repeating: 9, count: x.count)
        var dGamma3 = [Float](repeating: 0, count: channels), dBeta3 = dGamma3
        BatchNorm.backwardTrain(
            dx: &joined, dy: g, x, reluOutput: y, maskedInto: &shortcut, gamma: gamma, mean: mean,
            rstd: rstd, dGamma: &dGamma3, dBeta: &dBeta3, batch: batch, channels: channels,
            plane: plane, context())
        XCTAssertEqual(shortcut, masked)
        XCTAssertEqual(joined, fused)
        XCTAssertEqual(dGamma3, dGamma)
        XCTAssertEqual(dBeta3, dBeta)
        // the mask recomputed from x and the forward's coefficients: y's own, bit for bit
        var recomputed = [Float](repeating: 0, count: x.count)
        var dGamma4 = [Float](repeating: 0, count: channels), dBeta4 = dGamma4
        BatchNorm.backwardTrain(
            dx: &recomputed, dy: g, x, reluOutput: nil, reluBeta: beta, gamma: gamma, mean: mean,
            rstd: rstd, dGamma: &dGamma4, dBeta: &dBeta4, batch: batch, channels: channels,
            plane: plane, context())
        XCTAssertEqual(recomputed, fused)
        XCTAssertEqual(dGamma4, dGamma)
        XCTAssertEqual(dBeta4, dBeta)
        // the normalised output has mean β and standard deviation |γ| per channel (before the ReLU)
        var linear = y
        BatchNorm.forwardTrain(
            &linear, x, gamma: gamma, beta: beta, mean: &mean, rstd: &rstd, runningMean: &runningMean,
            runningVar: &runningVar, batch: batch, channels: channels, plane: plane, relu: false,
            config: .init(), context())
        for c in 0..<channels {
            let values = (0..<batch).flatMap { n in (0..<plane).map { linear[(n * channels + c) * plane + $0] } }
            let m = values.reduce(0, +) / Float(values.count)
            XCTAssertEqual(m, beta[c], accuracy: 1e-5)
        }
    }

    func testDenseMatchesDirectSums() {
        let (batch, inputs, outputs) = (3, 5, 4)
        let x = randomFloats(batch * inputs), w = randomFloats(outputs * inputs, purpose: "w")
        let b = randomFloats(outputs, purpose: "b"), g = randomFloats(batch * outputs, purpose: "g")
        var y = [Float](repeating: 0, count: batch * outputs)
        Dense.forward(&y, x, w, b, batch: batch, inputs: inputs, outputs: outputs)
        var dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 1, count: w.count),
            db = [Float](repeating: 1, count: outputs)
        Dense.backward(dx: &dx, dw: &dw, dBias: &db, dOut: g, x, w, batch: batch, inputs: inputs, outputs: outputs)
        for n in 0..<batch {
            for k in 0..<outputs {
                let expected = b[k] + (0..<inputs).map { x[n * inputs + $0] * w[k * inputs + $0] }.reduce(0, +)
                XCTAssertEqual(y[n * outputs + k], expected, accuracy: 1e-5)
            }
            for i in 0..<inputs {
                let expected = (0..<outputs).map { g[n * outputs + $0] * w[$0 * inputs + i] }.reduce(0, +)
                XCTAssertEqual(dx[n * inputs + i], expected, accuracy: 1e-5)
            }
        }
        for k in 0..<outputs {
            XCTAssertEqual(db[k], 1 + (0..<batch).map { g[$0 * outputs + k] }.reduce(0, +), accuracy: 1e-5)
            for i in 0..<inputs {
                let expected = 1 + (0..<batch).map { g[$0 * outputs + k] * x[$0 * inputs + i] }.reduce(0, +)
                XCTAssertEqual(dw[k * inputs + i], expected, accuracy: 1e-5, "dense backward accumulates into dw")
            }
        }
    }

    func testPoolingReLUAndResidualJoin() {
        let x = randomFloats(2 * 3 * 5)
        var pooled = [Float](repeating: 0, count: 6)
        GlobalAvgPool.forward(&pooled, x, rows: 6, plane: 5)
        XCTAssertEqual(pooled[4], x[20..<25].reduce(0, +) / 5, accuracy: 1e-6)
        var dx = [Float](repeating: 9, count: x.count)
        GlobalAvgPool.backward(dx: &dx, dOut: [1, 2, 3, 4, 5, 10], rows: 6, plane: 5)
        XCTAssertEqual(dx[27], 2)

        var y = [Float](repeating: 0, count: x.count)
        ReLU.forward(&y, x, count: x.count)
        var dReLU = [Float](repeating: 1, count: x.count)
        ReLU.backward(dx: &dReLU, dy: [Float](repeating: 2, count: x.count), output: y, count: x.count)
        for i in x.indices { XCTAssertEqual(dReLU[i], x[i] > 0 ? 2 : 0) }

        // the residual join fused into batch norm: bit for bit BN, then ReLU(BN + shortcut)
        let shortcut = randomFloats(x.count, purpose: "s")
        let (batch, channels, plane) = (2, 3, 5)
        let gamma = randomFloats(channels, purpose: "g"), beta = randomFloats(channels, purpose: "b")
        var mean = [Float](repeating: 0, count: channels), rstd = mean
        for training in [true, false] {
            var runningMean = [Float](repeating: 0, count: channels),
                runningVar = [Float](repeating: 1, count: channels)
            var normalized = [Float](repeating: 0, count: x.count), joined = normalized
            BatchNorm.forwardTrain(
                &normalized, x, gamma: gamma, beta: beta, mean: &mean, rstd: &rstd,
                runningMean: &runningMean, runningVar: &runningVar, batch: batch, channels: channels,
                plane: plane, relu: false, config: .init(), context())
            if training {
                BatchNorm.forwardTrain(
                    &joined, x, gamma: gamma, beta: beta, mean: &mean, rstd: &rstd,
                    runningMean: &runningMean, runningVar: &runningVar, batch: batch,
                    channels: channels, plane: plane, relu: false, join: shortcut, config: .init(), context())
            } else {
                BatchNorm.forwardEval(
                    &joined, x, gamma: gamma, beta: beta, runningMean: runningMean,
                    runningVar: runningVar, batch: batch, channels: channels, plane: plane,
                    relu: false, join: shortcut, config: .init(), context())
                BatchNorm.forwardEval(
                    &normalized, x, gamma: gamma, beta: beta, runningMean: runningMean,
                    runningVar: runningVar, batch: batch, channels: channels, plane: plane,
                    relu: false, config: .init(), context())
            }
            XCTAssertEqual(joined, zip(normalized, shortcut).map { max($0 + $1, 0) }, training ? "train" : "eval")
        }
    }
}

import Foundation
import NN
import Tensor
import TestSupport
import XCTest

/// The update rules of RECIPE.md §4 on a small quadratic f(w) = ½·Σ aᵢ(wᵢ − cᵢ)², against
/// scalar double-precision transcriptions of the formulas, and convergence to its minimum.
final class OptimizerTests: XCTestCase {
    let a: [Double] = [1, 2, 0.5, 3, 1.5]
    let c: [Double] = [0.3, -1, 2, 0.5, -0.2]
    let start: [Float] = [1, 0, -1, 2, 0.5]

    func arena() -> Arena {
        var layout = Arena.Layout()
        layout.add("w.weight", [3])
        layout.add("w.bias", [2])
        let arena = Arena(views: layout.views)
        arena.storage.copy(from: start)
        return arena
    }

    func gradient(_ w: [Double]) -> [Double] { w.indices.map { a[$0] * (w[$0] - c[$0]) } }
    func loss(_ w: [Double]) -> Double {
        w.indices.map { 0.5 * a[$0] * (w[$0] - c[$0]) * (w[$0] - c[$0]) }.reduce(0, +)
    }

    /// Runs `steps` updates of the optimizer and of the reference; returns both trajectories' ends.
    func run(
        _ make: (Arena) -> Optimizer, steps: Int, rate: Float,
        reference: (inout [Double], [Double], Int) -> Void
    ) -> ([Float], [Double]) {
        let parameters = arena(), gradients = parameters.zerosLike()
        let optimizer = make(parameters)
        var expected = start.map(Double.init)
        for t in 1...steps {
            let w = parameters.storage.array.map(Double.init)
            gradients.storage.copy(from: gradient(w).map(Float.init))
            optimizer.step(parameters: parameters, gradients: gradients, learningRate: rate)
            reference(&expected, gradient(expected), t)
        }
        XCTAssertEqual(optimizer.updates, steps)
        return (parameters.storage.array, expected)
    }

    func testQuadraticGradientByFiniteDifferences() {
        let w: [Double] = [0.1, 0.7, -0.4, 1.2, 0.0], h = 1e-6
        for i in w.indices {
            var plus = w, minus = w
            plus[i] += h
            minus[i] -= h
            XCTAssertEqual((loss(plus) - loss(minus)) / (2 * h), gradient(w)[i], accuracy: 1e-6)
        }
    }

    func testAdam() {
        let (lr, b1, b2, eps, wd) = (0.05, 0.9, 0.999, 1e-8, 0.01)
        var m = [Double](repeating: 0, count: 5), v = m
        let (got, expected) = run(
            { Adam(parameters: $0, weightDecay: WeightDecay(rate: Float(wd), kinds: [.convWeight, .denseBias])) },
            steps: 300, rate: Float(lr)
        ) { w, g, t in
            for i in w.indices {
                let d = g[i] + wd * w[i]
                m[i] = b1 * m[i] + (1 - b1) * d
                v[i] = b2 * v[i] + (1 - b2) * d * d
                w[i] -=
                    lr * (1 - pow(b2, Double(t))).squareRoot() / (1 - pow(b1, Double(t))) * m[i]
                    / (v[i].squareRoot() + eps)
            }
        }
        XCTAssertLessThan(relmax(got, expected.map(Float.init)), 1e-4)
        XCTAssertLessThan(loss(got.map(Double.init)), 0.01 * loss(start.map(Double.init)))
    }

    func testNadam() {
        let (lr, b1, b2, eps) = (0.05, 0.9, 0.999, 1e-8)
        var m = [Double](repeating: 0, count: 5), v = m, product = 1.0
        func mu(_ t: Int) -> Double { b1 * (1 - 0.5 * pow(0.96, Double(t) * 0.004)) }
        let (got, expected) = run(
            { Nadam(parameters: $0, weightDecay: WeightDecay(rate: 0, kinds: [.convWeight, .denseBias])) },
            steps: 300, rate: Float(lr)
        ) { w, g, t in
            product *= mu(t)
            for i in w.indices {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let bar = (1 - mu(t)) * g[i] / (1 - product) + mu(t + 1) * m[i] / (1 - product * mu(t + 1))
                w[i] -= lr * bar / ((v[i] / (1 - pow(b2, Double(t)))).squareRoot() + eps)
            }
        }
        XCTAssertLessThan(relmax(got, expected.map(Float.init)), 1e-4)
        XCTAssertLessThan(loss(got.map(Double.init)), 0.01 * loss(start.map(Double.init)))
    }

    func testRMSProp() {
        // near the minimum RMSProp's steps have size ~η whatever the gradient, so float and
        // double trajectories part there: compare the approach, then check where it ends
        for steps in [40, 400] {
            let (lr, gamma, eps) = (0.01, 0.9, 1e-8)
            var n = [Double](repeating: 0, count: 5)
            let (got, expected) = run(
                { RMSProp(parameters: $0, weightDecay: WeightDecay(rate: 0, kinds: [.convWeight, .denseBias])) },
                steps: steps, rate: Float(lr)
            ) { w, g, _ in
                for i in w.indices {
                    n[i] = gamma * n[i] + (1 - gamma) * g[i] * g[i]
                    w[i] -= lr * g[i] / (n[i] + eps).squareRoot()
                }
            }
            if steps == 40 { XCTAssertLessThan(relmax(got, expected.map(Float.init)), 1e-4) }
            if steps == 400 { XCTAssertLessThan(loss(got.map(Double.init)), 0.01 * loss(start.map(Double.init))) }
        }
    }

    func testAdaDeltaIgnoresTheRateAndDecaysDirectly() {
        let (rho, eps, wd) = (0.9, 1e-5, 0.001)
        var acc = [Double](repeating: 0, count: 5), delta = acc
        let (got, expected) = run(
            { AdaDelta(parameters: $0, weightDecay: WeightDecay(rate: Float(wd), kinds: [.convWeight, .denseBias])) },
            steps: 200, rate: 123
        ) { w, g, _ in
            for i in w.indices {
                acc[i] = rho * acc[i] + (1 - rho) * g[i] * g[i]
                let d = (delta[i] + eps).squareRoot() / (acc[i] + eps).squareRoot() * g[i]
                delta[i] = rho * delta[i] + (1 - rho) * d * d
                w[i] -= d + wd * w[i]
            }
        }
        XCTAssertLessThan(relmax(got, expected.map(Float.init)), 1e-4)
        XCTAssertLessThan(loss(got.map(Double.init)), loss(start.map(Double.init)))
    }

    func testNesterovFirstStepAndNoDecayOption() {
        let (lr, mu, wd) = (0.1, 0.9, 0.01)
        let decay = WeightDecay(rate: Float(wd), kinds: [.convWeight, .denseBias], excludingBiasAndNorm: true)
        var m = [Double](repeating: 0, count: 5)
        let (got, expected) = run(
            { SGD(parameters: $0, momentum: Float(mu), nesterov: true, weightDecay: decay) },
            steps: 50, rate: Float(lr)
        ) { w, g, _ in
            for i in w.indices {
                let d = g[i] + (i < 3 ? wd * w[i] : 0)  // the bias view (last two) is exempt
                m[i] = mu * m[i] + d
                w[i] -= lr * (d + mu * m[i])
            }
        }
        XCTAssertLessThan(relmax(got, expected.map(Float.init)), 1e-4)
        // first step from a zero buffer: p − lr·(1 + μ)·(g + wd·p)
        let parameters = arena(), gradients = parameters.zerosLike()
        gradients.storage.copy(from: gradient(start.map(Double.init)).map(Float.init))
        SGD(
            parameters: parameters, momentum: 0.9, nesterov: true,
            weightDecay: WeightDecay(rate: 1e-4, kinds: [.convWeight, .denseBias])
        )
        .step(parameters: parameters, gradients: gradients, learningRate: 0.1)
        for i in 0..<5 {
            let g = Double(gradients.storage.array[i]), p = Double(start[i])
            XCTAssertEqual(Double(parameters.storage.array[i]), p - 0.19 * (g + 1e-4 * p), accuracy: 1e-6)
        }
    }
}
